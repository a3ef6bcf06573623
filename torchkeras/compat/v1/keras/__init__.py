"""``compat.v1.keras``: only its ``backend`` session functions."""

from torchkeras.compat.v1.keras import backend as backend
