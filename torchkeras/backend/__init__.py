"""The Keras backend namespace (``import torchkeras.backend as K``).

Its names come from the registry (``utils/registry.py``): tf.keras's
``K.*`` ops are decorated ``keras_op("backend.<name>")``, which records
them as ``keras.backend.<name>`` (see ``ops/dispatch.py``), and the other
functions and classes carry ``@keras_export("keras.backend.<name>")``
where they are defined.
"""

from torchkeras.utils import registry as _registry

# `tf_function` (`tf.function`) is compat.tf's, which loads it.
_registry.import_submodules(__name__, __path__, skip=("tf_function",))
_registry.export_into(globals(), "keras.backend")
