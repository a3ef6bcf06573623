"""What every ImageNet model shares: input preprocessing, decoding the
1000-class predictions, and the checks on the constructors' arguments.

The arithmetic is Keras's, mode for mode:

- ``"caffe"``: RGB to BGR, then each channel minus the ImageNet mean
  (``103.939, 116.779, 123.68`` in BGR order), no scaling;
- ``"tf"``: ``x / 127.5 - 1``, pixels in ``[-1, 1]``;
- ``"torch"``: ``x / 255``, then each channel standardised with the
  ImageNet mean ``(0.485, 0.456, 0.406)`` and std ``(0.229, 0.224, 0.225)``.

A float NumPy array is preprocessed in place, as in Keras (pass
``numpy.copy(x)`` to keep the original); an integer array is converted to
``floatx()`` first. A torch tensor or a functional ``KerasTensor`` gets a
new tensor.
"""

import json
import warnings

import numpy as np

from torchkeras import activations
from torchkeras import backend
from torchkeras.backend.config import is_float_dtype
from torchkeras import ops
from torchkeras.utils import file_utils
from torchkeras.utils.registry import keras_export

CLASS_INDEX = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/"
    "data/imagenet_class_index.json"
)
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_MODES = ("caffe", "tf", "torch")
_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)


@keras_export("keras.applications.imagenet_utils.preprocess_input")
def preprocess_input(x, data_format=None, mode="caffe"):
    """Preprocesses a batch of images (values in ``[0, 255]``) for a model.

    Args:
        x: NumPy array, torch tensor or KerasTensor, 3D or 4D, with 3 color
            channels. A float NumPy array is overwritten in place.
        data_format: ``"channels_last"`` or ``"channels_first"``; `None`
            means ``backend.image_data_format()``.
        mode: ``"caffe"`` (default), ``"tf"`` or ``"torch"`` (see the
            module's docstring).

    Returns:
        The preprocessed images, ``float32`` (``floatx()``).

    Raises:
        ValueError: for an unknown `mode` or `data_format`.

    Examples:
        >>> images = np.array([[[255.0, 128.0, 0.0]]], "float32")
        >>> out = keras.applications.imagenet_utils.preprocess_input(
        ...     images, mode="torch")
        >>> [round(float(v), 3) for v in out[0, 0]]
        [2.249, 0.205, -1.804]
    """
    if mode not in _MODES:
        raise ValueError(
            "Expected mode to be one of `caffe`, `tf` or `torch`. "
            f"Received: mode={mode}"
        )
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError(
            "Expected data_format to be one of `channels_first` or "
            f"`channels_last`. Received: data_format={data_format}"
        )
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _channel_shape(ndim, data_format):
    """Broadcast shape of a per-channel constant for an ``ndim`` batch."""
    if data_format == "channels_first":
        return (3,) + (1,) * (ndim - 1) if ndim == 3 else (
            (1, 3) + (1,) * (ndim - 2))
    return (1,) * (ndim - 1) + (3,)


def _preprocess_numpy(x, data_format, mode):
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = _to_bgr_numpy(x, data_format)
        mean, std = _CAFFE_MEAN, None
    shape = _channel_shape(x.ndim, data_format)
    x -= np.asarray(mean, dtype=x.dtype).reshape(shape)
    if std is not None:
        x /= np.asarray(std, dtype=x.dtype).reshape(shape)
    return x


def _to_bgr_numpy(x, data_format):
    if data_format == "channels_first":
        return x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]
    return x[..., ::-1]


def _preprocess_tensor(x, data_format, mode):
    x = ops.convert_to_tensor(x) if not backend.is_keras_tensor(x) else x
    if not is_float_dtype(x.dtype):
        x = ops.cast(x, backend.floatx())
    ndim = len(x.shape)
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        axis = 0 if (data_format == "channels_first" and ndim == 3) else (
            1 if data_format == "channels_first" else -1)
        x = ops.flip(x, axis=axis)
        mean, std = _CAFFE_MEAN, None
    shape = _channel_shape(ndim, data_format)
    x = x - ops.reshape(ops.convert_to_tensor(
        np.asarray(mean, dtype="float32")), shape)
    if std is not None:
        x = x / ops.reshape(ops.convert_to_tensor(
            np.asarray(std, dtype="float32")), shape)
    return x


@keras_export("keras.applications.imagenet_utils.decode_predictions")
def decode_predictions(preds, top=5):
    """Decodes the predictions of an ImageNet model.

    The class names come from ``imagenet_class_index.json`` in the Keras
    cache (``~/.keras/models``, or ``$KERAS_HOME/models``), downloaded on
    first use when the network allows; without it, the error says where to
    place the file.

    Args:
        preds: array of shape ``(samples, 1000)``.
        top: how many of the best guesses to return per sample.

    Returns:
        One list per sample of ``(class_name, class_description, score)``
        tuples, best first.

    Raises:
        ValueError: when `preds` is not of shape ``(samples, 1000)``.

    Examples:
        >>> preds = np.zeros((1, 10))  # not the 1000 ImageNet classes
        >>> keras.applications.imagenet_utils.decode_predictions(preds)
        Traceback (most recent call last):
        ...
        ValueError: `decode_predictions` expects a batch of predictions ...
    """
    global CLASS_INDEX

    preds = ops.convert_to_numpy(preds)
    if len(preds.shape) != 2 or preds.shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of predictions (i.e. a 2D "
            "array of shape (samples, 1000)). Received array with shape: "
            f"{preds.shape}"
        )
    if CLASS_INDEX is None:
        path = file_utils.get_file(
            "imagenet_class_index.json", CLASS_INDEX_PATH,
            cache_subdir="models", file_hash=CLASS_INDEX_HASH)
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for pred in preds:
        best = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in best]
        result.sort(key=lambda item: item[2], reverse=True)
        results.append(result)
    return results


def obtain_input_shape(input_shape, default_size, min_size, data_format,
                       require_flatten, weights=None):
    """Validates a model's `input_shape` argument, or chooses the default.

    Args:
        input_shape: `None` or the user's shape (no batch dimension).
        default_size: the model's default height and width.
        min_size: the smallest height and width the model accepts.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        require_flatten: whether a classifier follows (``include_top``),
            which needs a static shape.
        weights: `None`, ``"imagenet"`` or a path; ImageNet weights need 3
            channels and, with a classifier, the default shape.

    Returns:
        The input shape, a tuple of 3 (with `None` for free dimensions).

    Raises:
        ValueError: with the expected and received shapes.
    """
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = (input_shape[0] if data_format == "channels_first"
                    else input_shape[-1])
        if channels not in {1, 3}:
            warnings.warn(
                "This model usually expects 1 or 3 input channels. However, "
                f"it was passed an input_shape with {channels} input "
                "channels.", stacklevel=3)
        default_shape = ((channels, default_size, default_size)
                         if data_format == "channels_first"
                         else (default_size, default_size, channels))
    elif data_format == "channels_first":
        default_shape = (3, default_size, default_size)
    else:
        default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and tuple(input_shape) != default_shape:
            raise ValueError(
                "When setting `include_top=True` and loading `imagenet` "
                f"weights, `input_shape` should be {default_shape}.  "
                f"Received: input_shape={input_shape}"
            )
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels, spatial = ((input_shape[0], input_shape[1:])
                             if data_format == "channels_first"
                             else (input_shape[-1], input_shape[:2]))
        if channels != 3 and weights == "imagenet":
            raise ValueError(
                "The input must have 3 channels; Received "
                f"`input_shape={input_shape}`")
        if any(d is not None and d < min_size for d in spatial):
            raise ValueError(
                f"Input size must be at least {min_size}x{min_size}; "
                f"Received: input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    elif data_format == "channels_first":
        input_shape = (3, None, None)
    else:
        input_shape = (None, None, 3)
    if require_flatten and None in tuple(input_shape):
        raise ValueError(
            "If `include_top` is True, you should specify a static "
            f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size):
    """Zero-padding ``((top, bottom), (left, right))`` before a strided
    convolution, so that it sees the pixels TensorFlow's ``"same"`` would.
    """
    first = 2 if backend.image_data_format() == "channels_first" else 1
    size = inputs.shape[first:first + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2,
                                              1 - size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]),
            (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """Only `None` and ``"softmax"`` go with pretrained weights.

    Raises:
        ValueError: naming the activation received.
    """
    if weights is None:
        return
    resolved = activations.get(classifier_activation)
    if resolved not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError(
            "Only `None` and `softmax` activations are allowed for the "
            "`classifier_activation` argument when using pretrained "
            "weights, with `include_top=True`; Received: "
            f"classifier_activation={resolved}"
        )
