"""The Keras backend namespace (``import torchkeras.backend as K``)."""

from torchkeras.backend.config import epsilon as epsilon
from torchkeras.backend.config import floatx as floatx
from torchkeras.backend.config import image_data_format as image_data_format
from torchkeras.backend.config import set_epsilon as set_epsilon
from torchkeras.backend.config import set_floatx as set_floatx
from torchkeras.backend.config import (
    set_image_data_format as set_image_data_format,
)
from torchkeras.backend.config import standardize_dtype as standardize_dtype
from torchkeras.backend.global_state import clear_session as clear_session
