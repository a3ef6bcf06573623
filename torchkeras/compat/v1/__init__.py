"""``compat.v1``: the tf 1.x session idiom, mapped by ``backend/session``.

Examples:
    >>> import torchkeras as keras
    >>> config = keras.compat.v1.ConfigProto()
    >>> config.gpu_options.allow_growth = True
    >>> keras.compat.v1.keras.backend.set_session(
    ...     keras.compat.v1.Session(config=config))
"""

from torchkeras.backend.session import ConfigProto as ConfigProto
from torchkeras.backend.session import GPUOptions as GPUOptions
from torchkeras.backend.session import (
    InteractiveSession as InteractiveSession,
)
from torchkeras.backend.session import Session as Session
from torchkeras.compat.v1 import keras as keras
