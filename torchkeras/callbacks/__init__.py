"""The tf.keras ``callbacks`` namespace: hooks into fit/evaluate/predict.

Its names are those of every ``@keras_export("keras.callbacks.<Name>")``
class of the package's modules.
"""

from torchkeras.utils import registry as _registry

_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.callbacks")
