"""The ``models`` namespace: Model, Sequential and model (de)serialization.

The engine's model classes register themselves (``keras_export``) under the
names Keras 3 gives them, so ``layers.deserialize`` finds a ``Sequential``
or ``Functional`` entry through the registry without importing the engine.
"""

# Importing the engine registers its model classes.
from torchkeras.engine import sequential as _sequential  # noqa: F401
from torchkeras import saving as _saving  # noqa: F401  (registers its names)
from torchkeras.utils import registry

registry.export_into(globals(), "keras.models")
