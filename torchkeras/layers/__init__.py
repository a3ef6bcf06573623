"""The ``layers`` namespace, as tf.keras spells it.

Its names come from the registry (``utils/registry.py``): every layer
module is imported here and each public class or function carries
``@keras_export("keras.layers.<Name>", <aliases>)`` where it is defined,
so adding a layer means decorating it, not listing it here.
"""

from torchkeras.layers import legacy_interfaces as _legacy
from torchkeras.layers.convolutional.conv2d import Conv2D
from torchkeras.layers.convolutional.conv3d import Conv3D
from torchkeras.layers.layer import Layer
from torchkeras.utils import registry

# `shape_inference` and the recorded-op layer load on first use;
# `experimental` reads the table, so it comes last.
registry.import_submodules(
    __name__, __path__,
    skip=("core.tf_op_layer", "shape_inference", "experimental"))

# Keras 1 argument names (Keras 2.0-2.2 accepted them with a warning) and
# the Keras 1 class names that read Keras 1 positional kernel sizes.
registry.keras_export("keras.layers.Convolution2D")(
    _legacy.keras1_name(Conv2D))
registry.keras_export("keras.layers.Convolution3D")(
    _legacy.keras1_name(Conv3D))
registry.export_into(globals(), "keras.layers")
_legacy.install(globals())

# tf.keras 2.2-2.5's `layers.experimental.preprocessing` path.
from torchkeras.layers import experimental as experimental  # noqa: E402


def serialize(layer):
    """Returns the `{"class_name": ..., "config": ...}` dict of a layer.

    Args:
        layer: The layer to serialize.

    Returns:
        The config dict, which `deserialize` turns back into a layer.

    Examples:
        >>> config = keras.layers.serialize(keras.layers.Dense(2))
        >>> config["class_name"], config["config"]["units"]
        ('Dense', 2)
    """
    from torchkeras.utils.serialization import serialize_keras_object

    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """Returns the layer a config dict describes.

    Besides the layer classes (and `Sequential`/`Functional` models), it
    reads the recorded-op entries that Keras 3 and tf.keras 2 write for
    tensor operations applied in a functional model.

    Args:
        config: A `{"class_name": ..., "config": ...}` dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        A new, unbuilt layer.

    Raises:
        ValueError: for an unknown class name.

    Examples:
        >>> layer = keras.layers.deserialize(
        ...     {"class_name": "Dense", "config": {"units": 2}})
        >>> type(layer).__name__, layer.units
        ('Dense', 2)
    """
    from torchkeras.utils.serialization import deserialize_keras_object

    if isinstance(config, dict) and _is_recorded_op(config):
        from torchkeras.layers.core.tf_op_layer import TFOpLambda

        class_name = config["class_name"]
        if class_name in ("TFOpLambda", "SlicingOpLambda"):
            return TFOpLambda.from_config(config["config"])
        return TFOpLambda.from_keras3_config(class_name, config["config"])
    return deserialize_keras_object(
        config, module_objects=_layer_objects(),
        custom_objects=custom_objects, printable_module_name="layer")


def _is_recorded_op(config):
    """A Keras 3 operation class or tf.keras 2's TFOpLambda entry."""
    module = config.get("module") or ""
    if module.startswith("keras.src.ops"):
        return True
    return config.get("class_name") in ("TFOpLambda", "SlicingOpLambda")


def _layer_objects():
    """The layer classes a config may name: those of ``keras.layers`` and
    the models of ``keras.models`` (``Sequential``, ``Functional``), which
    register when the engine is imported (``import torchkeras`` does), so
    this package never imports the engine."""
    objects = {}
    for namespace in ("keras.layers", "keras.models"):
        for name, obj in registry.objects_in(namespace).items():
            if isinstance(obj, type) and issubclass(obj, Layer):
                objects.setdefault(name, obj)
    return objects
