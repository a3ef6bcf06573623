"""tf.keras 2.2-2.5's ``layers.experimental.preprocessing``: the
preprocessing layers of ``layers`` under their old import path."""

from torchkeras.layers.preprocessing.category_encoding import (
    CategoryEncoding as CategoryEncoding,
)
from torchkeras.layers.preprocessing.center_crop import (
    CenterCrop as CenterCrop,
)
from torchkeras.layers.preprocessing.discretization import (
    Discretization as Discretization,
)
from torchkeras.layers.preprocessing.hashing import (
    Hashing as Hashing,
)
from torchkeras.layers.preprocessing.integer_lookup import (
    IntegerLookup as IntegerLookup,
)
from torchkeras.layers.preprocessing.normalization import (
    Normalization as Normalization,
)
from torchkeras.layers.preprocessing.preprocessing_utils import (
    PreprocessingLayer as PreprocessingLayer,
)
from torchkeras.layers.preprocessing.random_crop import (
    RandomCrop as RandomCrop,
)
from torchkeras.layers.preprocessing.random_flip import (
    RandomFlip as RandomFlip,
)
from torchkeras.layers.preprocessing.random_rotation import (
    RandomRotation as RandomRotation,
)
from torchkeras.layers.preprocessing.random_zoom import (
    RandomZoom as RandomZoom,
)
from torchkeras.layers.preprocessing.rescaling import (
    Rescaling as Rescaling,
)
from torchkeras.layers.preprocessing.resizing import (
    Resizing as Resizing,
)
from torchkeras.layers.preprocessing.string_lookup import (
    StringLookup as StringLookup,
)
from torchkeras.layers.preprocessing.text_vectorization import (
    TextVectorization as TextVectorization,
)
