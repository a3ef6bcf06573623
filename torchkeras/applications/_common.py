"""The parts every application constructor shares, in Keras's order:

1. `check_arguments`: `weights` and `classes` before anything is built;
2. `image_input`: the input (`input_tensor` wrapped or a new `Input`);
3. the family's layers, then `pool` or the family's classifier;
4. `model_inputs`: the graph's true inputs, when `input_tensor` came from
   another layer;
5. `load_weights`: ``"imagenet"`` from the Keras cache (Keras's file name,
   folder ``models`` and published hash), or the user's file.
"""

import os

from torchkeras import backend
from torchkeras import layers
from torchkeras.graph.keras_tensor import source_inputs
from torchkeras.utils import file_utils


WEIGHTS_ERROR = (
    "The `weights` argument should be either `None` (random "
    "initialization), `imagenet` (pre-training on ImageNet), or the path "
    "to the weights file to be loaded.  Received: weights={weights}")
CLASSES_ERROR = (
    "If using `weights='imagenet'` with `include_top=True`, `classes` "
    "should be 1000.  Received classes={classes}")


def check_arguments(weights, include_top, classes, *,
                    weights_error=WEIGHTS_ERROR, classes_error=CLASSES_ERROR):
    """Keras's checks of `weights` and `classes`, before anything is built.

    `weights_error` and `classes_error` are the messages (formatted with
    ``weights=``/``classes=``); each Keras family words them its own way,
    and users' code may match them, so each family passes Keras's text.

    Raises:
        ValueError: for a `weights` that is neither `None`, ``"imagenet"``
            nor an existing file, and for ImageNet weights with a
            classifier of other than 1000 classes.
    """
    if not (weights in {"imagenet", None} or (
            isinstance(weights, (str, os.PathLike))
            and os.path.exists(weights))):
        raise ValueError(weights_error.format(weights=weights))
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(classes_error.format(classes=classes))


def image_input(input_shape, input_tensor):
    """The model's image input: `input_tensor` (wrapped in an `Input` when
    it is not already a functional tensor), or a new `Input(input_shape)`.
    """
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if backend.is_keras_tensor(input_tensor):
        return input_tensor
    return layers.Input(tensor=input_tensor, shape=input_shape)


def model_inputs(input_tensor, img_input):
    """The inputs of the model: those `input_tensor` was computed from."""
    if input_tensor is None:
        return img_input
    return source_inputs(input_tensor)


def pool(x, pooling):
    """The `pooling` argument of a model without its classifier."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D()(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D()(x)
    return x


def load_weights(model, weights, *, file_name=None, origin=None,
                 file_hash=None):
    """Loads `weights` into `model`.

    ``"imagenet"``: `file_name` from the Keras cache's ``models`` folder
    (fetched from `origin` when missing, and checked against `file_hash`
    when Keras publishes one); a path: that file, in any format
    `Model.load_weights` reads; `None`: nothing.

    Raises:
        OSError: when the ImageNet file is missing and cannot be fetched;
            the message names the model, the file and where to place it.
    """
    if weights is None:
        return
    if weights != "imagenet":
        model.load_weights(weights)
        return
    try:
        path = fetch(file_name, origin, file_hash)
    except OSError as e:
        raise OSError(
            f"The ImageNet weights of {model.name} ({file_name}) are not in "
            f"the Keras cache and could not be downloaded.\n{e}") from e
    model.load_weights(path)


def fetch(file_name, origin, file_hash):
    """The cached path of an ImageNet weights file (downloaded if needed)."""
    return file_utils.get_file(file_name, origin, cache_subdir="models",
                               file_hash=file_hash)


def doc_example(name, features=None, parameters=None):
    """The ``Examples:`` section of a constructor whose docstring is built
    from a template: a 10-class classifier on 32x32 images, or, given the
    size of the pooled ``features`` (the big variants), a feature
    extractor; given the count of ``parameters`` (the biggest, whose
    weights take seconds to initialize), the input-shape check that runs
    before anything is built. Indented for a docstring body (4 spaces)."""
    if parameters is not None:
        return (
            f"\n    Examples:\n        Building it initializes {parameters} "
            "weights (seconds on a CPU);\n        the arguments are checked "
            "first:\n\n"
            f"        >>> keras.applications.{name}(\n"
            "        ...     weights=None, input_shape=(16, 16, 3))\n"
            "        Traceback (most recent call last):\n"
            "        ...\n"
            "        ValueError: Input size must be at least 32x32; ...\n    ")
    if features is None:
        call = "weights=None, input_shape=(32, 32, 3), classes=10"
        output = "(None, 10)"
    else:
        call = ("weights=None, include_top=False, input_shape=(32, 32, 3),"
                '\n        ...     pooling="avg"')
        output = f"(None, {features})"
    return (f"\n    Examples:\n        >>> model = keras.applications.{name}("
            f"\n        ...     {call})\n        >>> model.output_shape"
            f"\n        {output}\n    ")
