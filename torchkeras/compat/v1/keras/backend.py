"""``compat.v1.keras.backend``: tf 1.x session functions of the backend."""

from torchkeras.backend.global_state import clear_session as clear_session
from torchkeras.backend.session import get_session as get_session
from torchkeras.backend.session import set_session as set_session
