"""Saving and loading models and weights, in Keras's file formats.

Public functions (``Model.save``, ``save_weights``, ``load_weights``,
``export``, ``models.load_model``, ``model_from_json``, ``clone_model`` and
``Model.to_json`` call these): see ``saving_api`` for formats by suffix,
``errors`` for what a bad file raises.
"""

from torchkeras.saving.checkpoint import read_epoch as read_checkpoint_epoch
from torchkeras.saving.clone import clone_model as clone_model
from torchkeras.saving.errors import FileFormatError as FileFormatError
from torchkeras.saving.errors import IntegrityError as IntegrityError
from torchkeras.saving.errors import SavingError as SavingError
from torchkeras.saving.errors import UnsafeFileError as UnsafeFileError
from torchkeras.saving.errors import (
    WeightMismatchError as WeightMismatchError,
)
from torchkeras.saving.serving import export as export
from torchkeras.saving.serving import load_program as load_program
from torchkeras.saving.model_config import model_from_json as model_from_json
from torchkeras.saving.model_config import model_to_json as model_to_json
from torchkeras.saving.saving_api import (
    export_saved_model as export_saved_model,
)
from torchkeras.saving.saving_api import (
    load_from_saved_model as load_from_saved_model,
)
from torchkeras.saving.saving_api import load_model as load_model
from torchkeras.saving.saving_api import load_weights as load_weights
from torchkeras.saving.saving_api import save_model as save_model
from torchkeras.saving.saving_api import save_weights as save_weights
from torchkeras.utils.serialization import (
    CustomObjectScope as CustomObjectScope,
)
from torchkeras.utils.serialization import (
    custom_object_scope as custom_object_scope,
)
from torchkeras.utils.serialization import (
    deserialize_keras_object as deserialize_keras_object,
)
from torchkeras.utils.serialization import (
    get_custom_objects as get_custom_objects,
)
from torchkeras.utils.serialization import (
    get_registered_name as get_registered_name,
)
from torchkeras.utils.serialization import (
    get_registered_object as get_registered_object,
)
from torchkeras.utils.serialization import (
    register_keras_serializable as register_keras_serializable,
)
from torchkeras.utils.serialization import (
    serialize_keras_object as serialize_keras_object,
)

__all__ = [
    "CustomObjectScope", "FileFormatError", "IntegrityError",
    "SavingError", "UnsafeFileError", "WeightMismatchError",
    "clone_model", "custom_object_scope", "deserialize_keras_object",
    "export", "export_saved_model", "get_custom_objects",
    "get_registered_name", "get_registered_object", "load_from_saved_model",
    "load_model", "load_program", "load_weights", "model_from_json",
    "model_to_json", "read_checkpoint_epoch", "register_keras_serializable",
    "save_model", "save_weights", "serialize_keras_object",
]
