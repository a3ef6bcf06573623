"""``tf.config.experimental``: GPU memory settings and device details.

``set_memory_growth`` is accepted and recorded (torch's caching allocator
grows on demand); memory limits and fractions go through
``backend/session.py`` to ``torch.cuda.set_per_process_memory_fraction``.
The tf 2.0-2.3 names of the device functions are kept here as aliases.
"""

import torch

from torchkeras.backend import session
from torchkeras.config import devices
from torchkeras.config.devices import (
    VirtualDeviceConfiguration as VirtualDeviceConfiguration,
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
    set_visible_devices as set_visible_devices,
)

set_virtual_device_configuration = devices.set_logical_device_configuration
get_virtual_device_configuration = devices.get_logical_device_configuration


def set_memory_growth(device, enable):
    """Accepted for a GPU: torch's allocator already grows on demand.

    Raises:
        ValueError: if `device` is not a GPU torch sees.
    """
    _, index = devices.device_index(device, expected_type="GPU")
    session.set_memory_growth(index, enable)


def get_memory_growth(device):
    """What ``set_memory_growth`` recorded for a GPU (False by default)."""
    _, index = devices.device_index(device, expected_type="GPU")
    return session.get_memory_growth(index)


def get_device_details(device):
    """``{'device_name', 'compute_capability'}`` for a GPU, ``{}`` else."""
    kind, index = devices.device_index(device)
    if kind != "GPU":
        return {}
    return {"device_name": torch.cuda.get_device_name(index),
            "compute_capability": torch.cuda.get_device_capability(index)}


def get_memory_info(device):
    """``{'current', 'peak'}`` bytes allocated by torch on a GPU."""
    _, index = devices.device_index(device, expected_type="GPU")
    return {"current": torch.cuda.memory_allocated(index),
            "peak": torch.cuda.max_memory_allocated(index)}


def reset_memory_stats(device):
    """Resets the ``peak`` of `get_memory_info`."""
    _, index = devices.device_index(device, expected_type="GPU")
    torch.cuda.reset_peak_memory_stats(index)
