"""The ``keras.optimizers.schedules`` namespace.

Its names are those of every
``@keras_export("keras.optimizers.schedules.<Name>")``.
"""

from torchkeras.utils import registry as _registry

_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.optimizers.schedules")
