"""The ``config`` namespace: tf.config's devices and Keras 3's settings.

tf.keras code calls ``tf.config.list_physical_devices('GPU')``,
``tf.config.experimental.set_memory_growth(gpu, True)`` and
``tf.config.set_logical_device_configuration(gpu, [...])``; here they are
``torchkeras.config.*`` and map onto torch's CUDA allocator (see
``devices.py``). Keras 3's ``keras.config`` settings (``floatx``,
``set_dtype_policy``, ...) are re-exported from the backend.
"""

from torchkeras.backend.config import epsilon as epsilon
from torchkeras.backend.config import floatx as floatx
from torchkeras.backend.config import image_data_format as image_data_format
from torchkeras.backend.config import set_epsilon as set_epsilon
from torchkeras.backend.config import set_floatx as set_floatx
from torchkeras.backend.config import (
    set_image_data_format as set_image_data_format,
)
from torchkeras.backend.keras_backend import backend as backend
from torchkeras.config import experimental as experimental
from torchkeras.config import threading as threading
from torchkeras.utils.safe_mode import (
    enable_unsafe_deserialization as enable_unsafe_deserialization,
)
from torchkeras.config.devices import LogicalDevice as LogicalDevice
from torchkeras.config.devices import (
    LogicalDeviceConfiguration as LogicalDeviceConfiguration,
)
from torchkeras.config.devices import PhysicalDevice as PhysicalDevice
from torchkeras.config.devices import (
    get_logical_device_configuration as get_logical_device_configuration,
)
from torchkeras.config.devices import (
    get_soft_device_placement as get_soft_device_placement,
)
from torchkeras.config.devices import (
    get_visible_devices as get_visible_devices,
)
from torchkeras.config.devices import (
    list_logical_devices as list_logical_devices,
)
from torchkeras.config.devices import (
    list_physical_devices as list_physical_devices,
)
from torchkeras.config.devices import (
    set_logical_device_configuration as set_logical_device_configuration,
)
from torchkeras.config.devices import (
    set_soft_device_placement as set_soft_device_placement,
)
from torchkeras.config.devices import (
    set_visible_devices as set_visible_devices,
)
from torchkeras.backend.dtype_policy import dtype_policy as dtype_policy
from torchkeras.backend.dtype_policy import (
    set_dtype_policy as set_dtype_policy,
)
