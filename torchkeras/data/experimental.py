"""`torchkeras.data.experimental`: the `tf.data.experimental` names."""

from torchkeras.data.dataset import AUTOTUNE as AUTOTUNE
from torchkeras.data.dataset import (
    INFINITE_CARDINALITY as INFINITE_CARDINALITY,
)
from torchkeras.data.dataset import UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY
from torchkeras.data.options import AutoShardPolicy as AutoShardPolicy


def cardinality(dataset):
    """`dataset.cardinality()` (tf.data.experimental spelling)."""
    return dataset.cardinality()


__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY",
           "AutoShardPolicy", "cardinality"]
