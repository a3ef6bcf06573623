"""torchkeras: the tf.keras API, running on PyTorch."""

__version__ = "0.1.0"

from torchkeras import activations as activations
from torchkeras import backend as backend
from torchkeras import constraints as constraints
from torchkeras import initializers as initializers
from torchkeras import layers as layers
from torchkeras import regularizers as regularizers
from torchkeras import utils as utils
from torchkeras.engine.model import Model as Model
from torchkeras.engine.sequential import Sequential as Sequential
from torchkeras.layers.core.input_layer import Input as Input
