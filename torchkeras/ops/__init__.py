"""The Keras 3 ``keras.ops`` namespace (a minimal subset), on torch.

Its names come from the registry (``utils/registry.py``): an op function
decorated with ``keras_op("mean")`` is recorded as ``keras.ops.mean`` (see
``dispatch.py``), and the few functions that record no graph node
(``cond``, ``shape``, ``convert_to_numpy``, ...) carry
``@keras_export("keras.ops.<name>")``. ``image``, ``linalg``, ``nn`` and
``numpy`` are Keras 3's sub-namespaces, the modules themselves.
"""

from torchkeras.utils import registry as _registry

_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.ops")

from torchkeras.ops import image as image  # noqa: E402
from torchkeras.ops import linalg as linalg  # noqa: E402
from torchkeras.ops import nn as nn  # noqa: E402
from torchkeras.ops import numpy as numpy  # noqa: E402
