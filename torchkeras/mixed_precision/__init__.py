"""The ``keras.mixed_precision`` namespace.

``set_global_policy('mixed_float16' | 'mixed_bfloat16')`` makes new layers
keep float32 variables and compute in half precision under
``torch.autocast``; ``LossScaleOptimizer`` scales the loss for float16
(``compile`` adds it under ``'mixed_float16'``). Policies live in
``policy.py``, loss scaling in ``loss_scale_optimizer.py``.
"""

from torchkeras.optimizers.loss_scale_optimizer import (
    LossScaleOptimizer as LossScaleOptimizer,
)
from torchkeras.backend.dtype_policy import DTypePolicy as DTypePolicy
from torchkeras.backend.dtype_policy import Policy as Policy
from torchkeras.backend.dtype_policy import dtype_policy as dtype_policy
from torchkeras.backend.dtype_policy import global_policy as global_policy
from torchkeras.backend.dtype_policy import (
    set_dtype_policy as set_dtype_policy,
)
from torchkeras.backend.dtype_policy import (
    set_global_policy as set_global_policy,
)
