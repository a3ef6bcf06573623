"""torchkeras: the tf.keras API, running on PyTorch.

``import torchkeras as keras``: functional models, custom layers, metrics,
callbacks and ``fit`` as in tf.keras, while every model is a plain
``torch.nn.Module``.
"""

__version__ = "0.1.0"

from torchkeras import activations as activations
from torchkeras import backend as backend
from torchkeras import callbacks as callbacks
from torchkeras import compat as compat
from torchkeras import config as config
from torchkeras import constraints as constraints
from torchkeras import data as data
from torchkeras import debugging as debugging
from torchkeras import initializers as initializers
from torchkeras import layers as layers
from torchkeras import losses as losses
from torchkeras import metrics as metrics
from torchkeras import mixed_precision as mixed_precision
from torchkeras import models as models
from torchkeras import ops as ops
from torchkeras import optimizers as optimizers
from torchkeras import regularizers as regularizers
from torchkeras import utils as utils
from torchkeras import datasets as datasets
from torchkeras import distribute as distribute
from torchkeras import preprocessing as preprocessing
from torchkeras import experimental as experimental
from torchkeras import saving as saving
from torchkeras import applications as applications
from torchkeras.utils import registry as _registry

# `keras.Model`, `keras.Input`, `keras.Variable`, `keras.device`, ...: each
# is registered as an alias where it is defined (the namespaces above have
# imported those modules: `models` the engine, `layers` the input layer,
# `backend` its variables, tape and devices).
_registry.export_into(globals(), "keras")
