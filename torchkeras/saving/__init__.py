"""Saving and loading models and weights, in Keras's file formats.

Public functions (``Model.save``, ``save_weights``, ``load_weights``,
``export``, ``models.load_model``, ``model_from_json``, ``clone_model`` and
``Model.to_json`` call these): see ``saving_api`` for formats by suffix,
``errors`` for what a bad file raises.
"""

# Importing the modules registers their public names (``keras_export``);
# the helpers of ``utils.serialization`` are registered under
# ``keras.saving`` too, as Keras 3 exports them.
from torchkeras.saving import checkpoint as _checkpoint  # noqa: F401
from torchkeras.saving import clone as _clone  # noqa: F401
from torchkeras.saving import errors as _errors  # noqa: F401
from torchkeras.saving import model_config as _model_config  # noqa: F401
from torchkeras.saving import saving_api as _saving_api  # noqa: F401
from torchkeras.saving import serving as _serving  # noqa: F401
from torchkeras.utils import registry as _registry
from torchkeras.utils import serialization as _serialization  # noqa: F401

_registry.export_into(globals(), "keras.saving")
