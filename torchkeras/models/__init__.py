"""The ``models`` namespace: Model, Sequential and model (de)serialization.

The engine's model classes register themselves (``keras_export``) under the
names Keras 3 gives them, so ``layers.deserialize`` finds a ``Sequential``
or ``Functional`` entry through the registry without importing the engine.
"""

# Importing the engine registers its model classes.
from torchkeras.engine import sequential as _sequential  # noqa: F401
from torchkeras.saving import clone_model as clone_model
from torchkeras.saving import load_model as load_model
from torchkeras.saving import model_from_json as model_from_json
from torchkeras.saving import save_model as save_model
from torchkeras.utils import registry

registry.export_into(globals(), "keras.models")
