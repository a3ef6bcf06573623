"""The ``keras.mixed_precision`` namespace.

``set_global_policy('mixed_float16' | 'mixed_bfloat16')`` makes new layers
keep float32 variables and compute in half precision under
``torch.autocast``; ``LossScaleOptimizer`` scales the loss for float16
(``compile`` adds it under ``'mixed_float16'``). Policies live in
``policy.py``, loss scaling in ``loss_scale_optimizer.py``.
"""

# Each name is registered where it is defined (`keras_export`, next to its
# `keras.optimizers` or tf.keras 2 alias); importing the modules runs that.
from torchkeras.backend import dtype_policy as _dtype_policy  # noqa: F401
from torchkeras.optimizers import loss_scale_optimizer as _lso  # noqa: F401
from torchkeras.utils import registry as _registry

_registry.export_into(globals(), "keras.mixed_precision")
