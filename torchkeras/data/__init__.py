"""`torchkeras.data`: the `tf.data` subset that Keras scripts use.

`Dataset` (`from_tensor_slices`, `from_generator`, `batch`, `shuffle`,
`map`, ...), `TensorSpec` for `output_signature` / `element_spec`,
`Options`, and the `AUTOTUNE` / cardinality constants.
"""

from torchkeras.data import experimental as experimental
from torchkeras.data.dataset import AUTOTUNE as AUTOTUNE
from torchkeras.data.dataset import Dataset as Dataset
from torchkeras.data.dataset import (
    INFINITE_CARDINALITY as INFINITE_CARDINALITY,
)
from torchkeras.data.dataset import Iterator as Iterator
from torchkeras.data.dataset import UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY
from torchkeras.data.options import Options as Options
from torchkeras.data.tensor_spec import TensorSpec as TensorSpec

__all__ = ["AUTOTUNE", "Dataset", "INFINITE_CARDINALITY", "Iterator",
           "Options", "TensorSpec", "UNKNOWN_CARDINALITY", "experimental"]
