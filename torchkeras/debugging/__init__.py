"""The ``debugging`` namespace (tf.debugging's device-placement log).

``set_log_device_placement(True)`` makes each layer print the device it
runs on, the first time it runs there; the flag lives in
``backend/session.py``, the printing in the layer's call.
"""

from torchkeras.backend.session import (
    get_log_device_placement as get_log_device_placement,
)
from torchkeras.backend.session import (
    set_log_device_placement as set_log_device_placement,
)
