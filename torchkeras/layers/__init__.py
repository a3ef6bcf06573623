"""The ``layers`` namespace, as tf.keras spells it."""

from torchkeras.layers.core.dense import Dense as Dense
from torchkeras.layers.core.input_layer import Input as Input
from torchkeras.layers.core.input_layer import InputLayer as InputLayer
from torchkeras.layers.core.op_layer import OpLayer as OpLayer
from torchkeras.layers.input_spec import InputSpec as InputSpec
from torchkeras.layers.layer import Layer as Layer


def serialize(layer):
    from torchkeras.utils.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    from torchkeras.utils.serialization import deserialize_keras_object

    return deserialize_keras_object(
        config, module_objects=_layer_objects(),
        custom_objects=custom_objects, printable_module_name="layer")


def _layer_objects():
    import torchkeras.engine.model as model_module
    import torchkeras.engine.sequential as sequential_module

    objects = {k: v for k, v in globals().items()
               if isinstance(v, type) and issubclass(v, Layer)}
    objects["Model"] = model_module.Model
    objects["Functional"] = model_module.Functional
    objects["Sequential"] = sequential_module.Sequential
    return objects
