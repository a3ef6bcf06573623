"""tf.keras 2's ``experimental`` spellings that torchkeras keeps."""

from torchkeras.saving import export_saved_model as export_saved_model
from torchkeras.saving import load_from_saved_model as load_from_saved_model
