"""The ``models`` namespace: Model, Sequential and model (de)serialization."""

from torchkeras.engine.model import Functional as Functional
from torchkeras.engine.model import Model as Model
from torchkeras.engine.sequential import Sequential as Sequential
from torchkeras.saving import clone_model as clone_model
from torchkeras.saving import load_model as load_model
from torchkeras.saving import model_from_json as model_from_json
from torchkeras.saving import save_model as save_model
