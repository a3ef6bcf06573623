"""The ``models`` namespace: Model, Sequential and model (de)serialization."""

from torchkeras.engine.model import Functional as Functional
from torchkeras.engine.model import Model as Model
from torchkeras.engine.sequential import Sequential as Sequential
