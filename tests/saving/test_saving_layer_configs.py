"""Every built-in layer's config survives the file pipeline.

Each layer class exported by ``torchkeras.layers`` is built, its config
goes through what ``.keras``/``.h5`` saving and loading do to it (Keras 3
``module`` annotations, JSON, legacy sanitizing) and is deserialized; the
rebuilt layer's config must equal the original's.
"""

import json

import pytest

from torchkeras import layers
from torchkeras.saving import legacy
from torchkeras.saving import model_config


def _function(x):
    return x


# Constructor arguments of layers that need some.
ARGS = {
    "Dense": (2,), "Conv1D": (2, 3), "Conv2D": (2, 3), "Conv3D": (2, 3),
    "Conv1DTranspose": (2, 3), "Conv2DTranspose": (2, 3),
    "Conv3DTranspose": (2, 3), "ConvLSTM1D": (2, 3), "ConvLSTM2D": (2, 3),
    "ConvLSTM3D": (2, 3), "DepthwiseConv1D": (3,),
    "DepthwiseConv2D": (3,), "SeparableConv1D": (2, 3),
    "SeparableConv2D": (2, 3), "Embedding": (5, 2), "Dropout": (0.5,),
    "SpatialDropout1D": (0.5,), "SpatialDropout2D": (0.5,),
    "SpatialDropout3D": (0.5,), "GaussianDropout": (0.5,),
    "GaussianNoise": (0.5,), "AlphaDropout": (0.5,), "Reshape": ((2, 2),),
    "Permute": ((2, 1),), "RepeatVector": (3,), "Activation": ("relu",),
    "GRU": (2,), "LSTM": (2,), "SimpleRNN": (2,), "GRUCell": (2,),
    "LSTMCell": (2,), "SimpleRNNCell": (2,), "Lambda": (_function,),
    "GroupNormalization": (1,), "Dot": (1,), "CategoryEncoding": (4,),
    "CenterCrop": (2, 2), "RandomCrop": (2, 2), "Resizing": (2, 2),
    "Discretization": ((0.0, 1.0),), "Hashing": (4,),
    "MultiHeadAttention": (2, 3), "RandomRotation": (0.1,),
    "RandomZoom": (0.1,), "Rescaling": (0.5,),
}
FACTORIES = {
    "Bidirectional": lambda: layers.Bidirectional(layers.GRU(2)),
    "TimeDistributed": lambda: layers.TimeDistributed(layers.Dense(2)),
    "RNN": lambda: layers.RNN(layers.GRUCell(2)),
    "StackedRNNCells": lambda: layers.StackedRNNCells(
        [layers.GRUCell(2), layers.LSTMCell(2)]),
}
# Not layers a user builds from a config on its own.
EXCLUDED = {"Layer", "InputLayer", "InputSpec"}


def _classes():
    found = []
    for name in sorted(dir(layers)):
        cls = getattr(layers, name)
        if (isinstance(cls, type) and issubclass(cls, layers.Layer)
                and cls.__name__ == name and name not in EXCLUDED):
            found.append(name)
    return found


def _build(name):
    if name in FACTORIES:
        return FACTORIES[name]()
    try:
        return getattr(layers, name)(*ARGS.get(name, ()))
    except TypeError as e:
        if name in ARGS:
            raise
        pytest.fail(f"no constructor arguments known for {name} ({e}): "
                    "add them to ARGS, so every layer is covered")


@pytest.mark.parametrize("name", _classes())
def test_config_round_trip_through_file_pipeline(name):
    layer = _build(name)
    entry = model_config.annotate({"class_name": name,
                                   "config": layer.get_config()})
    assert entry["module"] == "keras.layers"
    entry = json.loads(json.dumps(entry))
    entry = legacy.sanitize_config("file", entry, safe_mode=False)
    rebuilt = layers.deserialize(entry,
                                 custom_objects={"_function": _function})
    assert type(rebuilt) is type(layer)
    assert rebuilt.get_config() == layer.get_config()
