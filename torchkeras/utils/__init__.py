"""Utilities of the tf.keras ``utils`` namespace."""

from torchkeras.utils.multi_gpu_utils import (
    multi_gpu_model as multi_gpu_model,
)
from torchkeras.utils.random import set_random_seed as set_random_seed
from torchkeras.utils.serialization import (
    CustomObjectScope as CustomObjectScope,
    custom_object_scope as custom_object_scope,
    deserialize_keras_object as deserialize_keras_object,
    get_custom_objects as get_custom_objects,
    get_registered_name as get_registered_name,
    get_registered_object as get_registered_object,
    register_keras_serializable as register_keras_serializable,
    serialize_keras_object as serialize_keras_object,
)
from torchkeras.utils.progbar import Progbar as Progbar
from torchkeras.utils.sequence import PyDataset as PyDataset
from torchkeras.utils.sequence import Sequence as Sequence
from torchkeras.utils.file_utils import get_file as get_file
from torchkeras.utils.numerical_utils import normalize as normalize
from torchkeras.utils.numerical_utils import to_categorical as to_categorical
from torchkeras.utils.model_visualization import (
    model_to_dot as model_to_dot,
)
from torchkeras.utils.model_visualization import plot_model as plot_model
from torchkeras.utils.plotting import plot_history as plot_history
from torchkeras.utils.batch_utils import (
    pack_x_y_sample_weight as pack_x_y_sample_weight,
)
from torchkeras.utils.batch_utils import (
    unpack_x_y_sample_weight as unpack_x_y_sample_weight,
)


_IMAGE_HELPERS = ("array_to_img", "img_to_array", "load_img", "save_img")


def __getattr__(name):
    # The dataset builders return `torchkeras.data` pipelines and resize
    # images with the preprocessing layers' kernels, so they live in
    # `torchkeras.preprocessing` (above `utils`) and load on first use.
    # Walks a KerasTensor's history: the graph sits above utils.
    if name == "get_source_inputs":
        from torchkeras.graph.keras_tensor import source_inputs

        return source_inputs
    if name == "image_dataset_from_directory":
        from torchkeras.preprocessing.image_dataset import (
            image_dataset_from_directory,
        )
        return image_dataset_from_directory
    if name == "text_dataset_from_directory":
        from torchkeras.preprocessing.text_dataset import (
            text_dataset_from_directory,
        )
        return text_dataset_from_directory
    if name == "timeseries_dataset_from_array":
        from torchkeras.preprocessing.timeseries_dataset import (
            timeseries_dataset_from_array,
        )
        return timeseries_dataset_from_array
    # Keras 3 moved these tf.keras 2 `preprocessing` helpers to `utils`.
    if name == "pad_sequences":
        from torchkeras.preprocessing.sequence import pad_sequences
        return pad_sequences
    if name in _IMAGE_HELPERS:
        from torchkeras.preprocessing import image
        return getattr(image, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {
        "get_source_inputs", "image_dataset_from_directory",
        "text_dataset_from_directory",
        "timeseries_dataset_from_array", "pad_sequences", *_IMAGE_HELPERS})
