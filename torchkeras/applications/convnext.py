"""ConvNeXt Tiny to XLarge (Liu et al., 2022): a patchify stem, four stages
of 7x7 depthwise convolution, LayerNormalization and an inverted MLP
(`Dense` layers as pointwise convolutions) with a learned per-channel
scale (`LayerScale`) on each residual branch.

The stem and the three downsampling steps are nested `Sequential` models,
as in Keras. With ``include_preprocessing=True`` the model normalizes
pixels in ``[0, 255]`` with the ImageNet mean and std itself (a
`Normalization` with fixed statistics); `preprocess_input` passes its input
through unchanged. ``channels_last`` only.

The residual additions are ``inputs + branch`` on symbolic tensors, as in
Keras: Keras 3 records them as operations outside ``model.layers``;
torchkeras records each as an op node (``TFOpLambda``, tf.keras 2's way),
which has no weights and does not change the weight files' order.
"""

import numpy as np
import torch

from torchkeras import backend
from torchkeras import initializers
from torchkeras import layers
from torchkeras.applications import _common
from torchkeras.applications import imagenet_utils
from torchkeras.engine.functional import Functional
from torchkeras.engine.sequential import Sequential
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export

BASE_WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/convnext/")

# (with the classifier, without it): sha256 of Keras's files.
WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}

MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3],
             "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": [3, 3, 27, 3],
              "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": [3, 3, 27, 3],
             "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": [3, 3, 27, 3],
              "projection_dims": [192, 384, 768, 1536],
              "default_size": 224},
    "xlarge": {"depths": [3, 3, 27, 3],
               "projection_dims": [256, 512, 1024, 2048],
               "default_size": 224},
}

_WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.")
_CLASSES_ERROR = ('If using `weights="imagenet"` with `include_top=True`, '
                  "`classes` should be 1000. Received classes={classes}")


class StochasticDepth(Layer):
    """Drops a residual branch for whole samples while training (scaling
    the kept ones by ``1 / (1 - drop_path_rate)``); identity at inference.

    Args:
        drop_path_rate: probability of dropping the branch, in ``[0, 1]``.
    """

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x, training=None):
        if not training:
            return x
        keep_prob = 1 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.dim() - 1)
        mask = torch.floor(keep_prob + torch.rand(
            shape, dtype=x.dtype, device=x.device))
        return (x / keep_prob) * mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"drop_path_rate": self.drop_path_rate})
        return config


class LayerScale(Layer):
    """Multiplies its input by a learned per-channel scale ``gamma``.

    Args:
        init_values: the initial value of every scale.
        projection_dim: the number of channels (last axis).
    """

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, _):
        self.gamma = self.add_weight(
            shape=(self.projection_dim,),
            initializer=initializers.Constant(self.init_values),
            trainable=True)

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update({"init_values": self.init_values,
                       "projection_dim": self.projection_dim})
        return config


def ConvNeXtBlock(projection_dim, drop_path_rate=0.0,
                  layer_scale_init_value=1e-6, name=None):
    """One ConvNeXt block: 7x7 depthwise convolution, LayerNormalization,
    ``Dense(4 * dim)``, GELU, ``Dense(dim)``, `LayerScale`, then the
    residual (through `StochasticDepth` when `drop_path_rate` is set).
    Returns ``apply(inputs)``."""
    if name is None:
        name = f"prestem{backend.get_uid('prestem')}"

    def apply(inputs):
        x = layers.Conv2D(filters=projection_dim, kernel_size=7,
                          padding="same", groups=projection_dim,
                          name=f"{name}_depthwise_conv")(inputs)
        x = layers.LayerNormalization(epsilon=1e-6,
                                      name=f"{name}_layernorm")(x)
        x = layers.Dense(4 * projection_dim,
                         name=f"{name}_pointwise_conv_1")(x)
        x = layers.Activation("gelu", name=f"{name}_gelu")(x)
        x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
        if layer_scale_init_value is not None:
            x = LayerScale(layer_scale_init_value, projection_dim,
                           name=f"{name}_layer_scale")(x)
        if drop_path_rate:
            branch = StochasticDepth(drop_path_rate,
                                     name=f"{name}_stochastic_depth")
        else:
            branch = layers.Activation("linear", name=f"{name}_identity")
        return inputs + branch(x)

    return apply


def PreStem(name=None):
    """Normalizes pixels in ``[0, 255]`` with the ImageNet-1k mean and std.
    Returns ``apply(x)``."""
    if name is None:
        name = f"prestem{backend.get_uid('prestem')}"

    def apply(x):
        return layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2,
                      (0.225 * 255) ** 2],
            name=f"{name}_prestem_normalization")(x)

    return apply


def Head(num_classes=1000, classifier_activation=None, name=None):
    """The classifier: global average pooling, LayerNormalization, Dense.
    Returns ``apply(x)``."""
    if name is None:
        name = str(backend.get_uid("head"))

    def apply(x):
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6,
                                      name=f"{name}_head_layernorm")(x)
        return layers.Dense(num_classes, activation=classifier_activation,
                            name=f"{name}_head_dense")(x)

    return apply


def _downsampling(name, projection_dims):
    """The stem (4x4 patches) and the three 2x2 downsampling steps, each a
    nested `Sequential`."""
    steps = [Sequential([
        layers.Conv2D(projection_dims[0], kernel_size=4, strides=4,
                      name=f"{name}_stem_conv"),
        layers.LayerNormalization(epsilon=1e-6,
                                  name=f"{name}_stem_layernorm"),
    ], name=f"{name}_stem")]
    for i in range(3):
        steps.append(Sequential([
            layers.LayerNormalization(
                epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"),
            layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                          name=f"{name}_downsampling_conv_{i}"),
        ], name=f"{name}_downsampling_block_{i}"))
    return steps


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0,
             layer_scale_init_value=1e-6, default_size=224, name="convnext",
             include_preprocessing=True, include_top=True, weights=None,
             input_tensor=None, input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", weights_name=None):
    """Builds a ConvNeXt from its stage depths and widths.

    Args:
        depths: blocks per stage (4 stages).
        projection_dims: channels per stage.
        drop_path_rate: largest stochastic-depth rate (rising linearly over
            the blocks from 0); 0 leaves the branches alone.
        layer_scale_init_value: initial `LayerScale`; `None` for none.
        default_size: the input size of the ImageNet weights.
        name, include_preprocessing, include_top, weights, input_tensor,
        input_shape, pooling, classes, classifier_activation: see
            `ConvNeXtTiny`.
        weights_name: ``"convnext_tiny"`` ... ``"convnext_xlarge"``.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: for ``channels_first``, invalid arguments, and ImageNet
            weights with another architecture or a name that does not
            contain the variant's.
    """
    if backend.image_data_format() == "channels_first":
        raise ValueError(
            "ConvNeXt does not support the `channels_first` image data "
            "format. Switch to `channels_last` by editing your local "
            "config file at ~/.keras/keras.json")
    _common.check_arguments(weights, include_top, classes,
                            weights_error=_WEIGHTS_ERROR,
                            classes_error=_CLASSES_ERROR)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=default_size, min_size=32,
        data_format=backend.image_data_format(),
        require_flatten=include_top, weights=weights)
    img_input = _common.image_input(input_shape, input_tensor)
    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = PreStem(name=name)(x)

    rates = [float(r) for r in np.linspace(0.0, drop_path_rate,
                                           sum(depths))]
    first = 0
    for i, step in enumerate(_downsampling(name, projection_dims)):
        x = step(x)
        for j in range(depths[i]):
            x = ConvNeXtBlock(projection_dim=projection_dims[i],
                              drop_path_rate=rates[first + j],
                              layer_scale_init_value=layer_scale_init_value,
                              name=f"{name}_stage_{i}_block_{j}")(x)
        first += depths[i]

    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = Head(num_classes=classes,
                 classifier_activation=classifier_activation, name=name)(x)
    else:
        x = _common.pool(x, pooling)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Functional(_common.model_inputs(input_tensor, img_input), x,
                       name=name)

    file_name = file_hash = None
    if weights == "imagenet":
        _check_variant(weights_name, name, depths, projection_dims)
        file_name = name + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
    _common.load_weights(model, weights, file_name=file_name,
                         origin=f"{BASE_WEIGHTS_PATH}{file_name}",
                         file_hash=file_hash)
    return model


def _check_variant(weights_name, name, depths, projection_dims):
    """ImageNet weights need the variant's architecture, and a model name
    that contains the variant's (the file is named after the model)."""
    size = weights_name.split("convnext_")[-1]
    expected = MODEL_CONFIGS[size]
    if (depths != expected["depths"]
            or projection_dims != expected["projection_dims"]):
        raise ValueError(
            f"Architecture configuration does not match {weights_name} "
            "variant. When using pre-trained weights, the model "
            "architecture must match the pre-trained configuration "
            f"exactly. Expected depths: {expected['depths']}, got: "
            f"{depths}. Expected projection_dims: "
            f"{expected['projection_dims']}, got: {projection_dims}.")
    if weights_name not in name:
        raise ValueError(
            f'Model name "{name}" does not match weights variant '
            f'"{weights_name}". When using imagenet weights, model name '
            f'must contain the weights variant (e.g., "convnext_{size}").')


def _variant(size, name, include_top, include_preprocessing, weights,
             input_tensor, input_shape, pooling, classes,
             classifier_activation):
    config = MODEL_CONFIGS[size]
    return ConvNeXt(
        weights_name=f"convnext_{size}", depths=config["depths"],
        projection_dims=config["projection_dims"], drop_path_rate=0.0,
        layer_scale_init_value=1e-6, default_size=config["default_size"],
        name=name, include_top=include_top,
        include_preprocessing=include_preprocessing, weights=weights,
        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
        classes=classes, classifier_activation=classifier_activation)


_DOC = """Instantiates ConvNeXt{key} (224x224 ImageNet input).

    Args:
        include_top: whether to end with the 1000-class classifier.
        include_preprocessing: whether the model normalizes its inputs
            (pixels in ``[0, 255]``) itself; keep it with ImageNet weights.
        weights: `None`, ``"imagenet"`` (Keras's file, from the Keras
            cache) or the path of a weights file.
        input_tensor: optional tensor to use as the image input.
        input_shape: ``(224, 224, 3)`` with the classifier and ImageNet
            weights; otherwise any shape of at least 32x32.
        pooling: without the classifier, `None` (4D output), ``"avg"``
            or ``"max"`` (then a LayerNormalization, as in Keras).
        classes: number of classes of the classifier (1000 for ImageNet
            weights).
        classifier_activation: activation of the last layer (`None` or
            ``"softmax"`` with pretrained weights).
        name: the model's name (with ImageNet weights it must contain
            ``"convnext_{size}"``).

    Returns:
        A functional `Model`.
    """


@keras_export("keras.applications.convnext.ConvNeXtTiny",
              "keras.applications.ConvNeXtTiny")
def ConvNeXtTiny(include_top=True, include_preprocessing=True,
                 weights="imagenet", input_tensor=None, input_shape=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="convnext_tiny"):
    return _variant("tiny", name, include_top, include_preprocessing,
                    weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


@keras_export("keras.applications.convnext.ConvNeXtSmall",
              "keras.applications.ConvNeXtSmall")
def ConvNeXtSmall(include_top=True, include_preprocessing=True,
                  weights="imagenet", input_tensor=None, input_shape=None,
                  pooling=None, classes=1000,
                  classifier_activation="softmax", name="convnext_small"):
    return _variant("small", name, include_top, include_preprocessing,
                    weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


@keras_export("keras.applications.convnext.ConvNeXtBase",
              "keras.applications.ConvNeXtBase")
def ConvNeXtBase(include_top=True, include_preprocessing=True,
                 weights="imagenet", input_tensor=None, input_shape=None,
                 pooling=None, classes=1000, classifier_activation="softmax",
                 name="convnext_base"):
    return _variant("base", name, include_top, include_preprocessing,
                    weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


@keras_export("keras.applications.convnext.ConvNeXtLarge",
              "keras.applications.ConvNeXtLarge")
def ConvNeXtLarge(include_top=True, include_preprocessing=True,
                  weights="imagenet", input_tensor=None, input_shape=None,
                  pooling=None, classes=1000,
                  classifier_activation="softmax", name="convnext_large"):
    return _variant("large", name, include_top, include_preprocessing,
                    weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


@keras_export("keras.applications.convnext.ConvNeXtXLarge",
              "keras.applications.ConvNeXtXLarge")
def ConvNeXtXLarge(include_top=True, include_preprocessing=True,
                   weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000,
                   classifier_activation="softmax", name="convnext_xlarge"):
    return _variant("xlarge", name, include_top, include_preprocessing,
                    weights, input_tensor, input_shape, pooling, classes,
                    classifier_activation)


# The docstring examples of the big variants build feature extractors
# (the size of their pooled features); the others 10-class classifiers.
_DOC_FEATURES = {"small": 768, "base": 1024, "large": 1536}
# The biggest only show the argument check (see `_common.doc_example`).
_DOC_PARAMETERS = {"xlarge": "348 million"}

for _size, _fn in zip(MODEL_CONFIGS, (ConvNeXtTiny, ConvNeXtSmall,
                                      ConvNeXtBase, ConvNeXtLarge,
                                      ConvNeXtXLarge)):
    _fn.__doc__ = _DOC.format(key=_fn.__name__[len("ConvNeXt"):],
                              size=_size) + (
        _common.doc_example(_fn.__name__, _DOC_FEATURES.get(_size),
                            _DOC_PARAMETERS.get(_size)))
del _size, _fn


@keras_export("keras.applications.convnext.preprocess_input")
def preprocess_input(x, data_format=None):
    """Returns the images unchanged (for the ConvNeXt models).

    The identity: these models take pixels in `[0, 255]` and
    preprocess them themselves. The function is kept so that code written
    for other families runs unchanged.

    Args:
        x: Images with pixel values in `[0, 255]`: a NumPy array, tensor or
            `KerasTensor`, 3D or 4D, with 3 color channels.
        data_format: Ignored; accepted for the common signature.

    Returns:
        `x` itself.

    Examples:
        >>> images = np.array([[[255.0, 128.0, 0.0]]], "float32")
        >>> out = keras.applications.convnext.preprocess_input(images)
        >>> [round(float(v), 3) for v in out[0, 0]]
        [255.0, 128.0, 0.0]
    """
    return x


@keras_export("keras.applications.convnext.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the ImageNet predictions of a ConvNeXt model.

    The same as `keras.applications.imagenet_utils.decode_predictions`:
    the class names come from `imagenet_class_index.json` in the Keras
    cache, downloaded on first use.

    Args:
        preds: Predictions of shape `(samples, 1000)`.
        top: How many of the best guesses to return per sample.

    Returns:
        One list per sample of `(class_name, class_description, score)`
        tuples, best first.

    Raises:
        ValueError: when `preds` is not of shape `(samples, 1000)`.

    Examples:
        >>> keras.applications.convnext.decode_predictions(np.zeros((1, 10)))
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    return imagenet_utils.decode_predictions(preds, top=top)
