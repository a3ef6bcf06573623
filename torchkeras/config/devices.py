"""``tf.config``'s device listing and configuration, mapped onto torch.

Physical devices are the CPU and the GPUs torch sees (none under
``CUDA_VISIBLE_DEVICES=-1``); logical devices are the CPU and the GPUs left
visible by ``set_visible_devices``, renumbered from 0 as tf does. Memory
settings go to the backend (``backend/session.py``), which applies them to
torch's CUDA allocator; device choice stays in ``backend/device.py``.
"""

import collections

from torchkeras.backend import session

PhysicalDevice = collections.namedtuple(
    "PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple(
    "LogicalDevice", ["name", "device_type"])


class LogicalDeviceConfiguration(collections.namedtuple(
        "LogicalDeviceConfiguration",
        ["memory_limit", "experimental_priority",
         "experimental_device_ordinal"])):
    """A logical device of a physical one (``memory_limit`` in MiB).

    On a GPU the memory limit caps torch's allocator
    (``torch.cuda.set_per_process_memory_fraction``); torch has no virtual
    devices, so several configurations on one GPU add their limits and
    still make one logical device.
    """

    def __new__(cls, memory_limit=None, experimental_priority=None,
                experimental_device_ordinal=None):
        return super().__new__(cls, memory_limit, experimental_priority,
                               experimental_device_ordinal)


VirtualDeviceConfiguration = LogicalDeviceConfiguration  # tf 2.0 name


def _type_filter(device_type):
    if device_type is None:
        return None
    if not isinstance(device_type, str):
        raise TypeError(
            "`device_type` must be a string such as 'GPU' or 'CPU'. "
            f"Received: device_type={device_type!r}"
        )
    return device_type.upper()


def list_physical_devices(device_type=None):
    """The CPU and the GPUs torch sees, as tf's ``PhysicalDevice``s.

    Examples:
        >>> list_physical_devices("CPU")
        [PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]
    """
    wanted = _type_filter(device_type)
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU")
                for i in range(session.gpu_count())]
    return [d for d in devices if wanted in (None, d.device_type)]


def list_logical_devices(device_type=None):
    """The CPU and the visible GPUs, as tf's ``LogicalDevice``s."""
    wanted = _type_filter(device_type)
    return [LogicalDevice(name, kind)
            for name, kind, _ in session.logical_devices()
            if wanted in (None, kind)]


def device_index(device, expected_type=None):
    """(type, index) of a ``PhysicalDevice`` or a name like ``'GPU:0'``.

    Raises:
        ValueError: for an unknown name or a device of another type.
    """
    name = getattr(device, "name", device)
    parts = str(name).replace("/physical_device:", "").replace(
        "/device:", "").split(":")
    try:
        kind, index = parts[-2].upper(), int(parts[-1])
    except (IndexError, ValueError):
        raise ValueError(
            "Unrecognized device. Expected a PhysicalDevice or a name such "
            f"as 'GPU:0'. Received: device={device!r}"
        ) from None
    known = [d.name for d in list_physical_devices(expected_type)]
    if f"/physical_device:{kind}:{index}" not in known:
        raise ValueError(
            f"Unrecognized device. Expected one of {known}. "
            f"Received: device={device!r}"
        )
    return kind, index


def set_visible_devices(devices, device_type=None):
    """Makes only ``devices`` visible: new weights go to the first visible
    GPU, or to the CPU when no GPU is left (``set_visible_devices([],
    'GPU')``). The CPU stays visible."""
    if isinstance(devices, PhysicalDevice):
        devices = [devices]
    wanted = _type_filter(device_type)
    if wanted not in (None, "GPU"):
        return
    indices = []
    for d in devices:
        kind, index = device_index(d)
        if kind == "GPU":
            indices.append(index)
    session.set_visible_gpus(indices)


def get_visible_devices(device_type=None):
    """The visible physical devices (the CPU and the visible GPUs)."""
    wanted = _type_filter(device_type)
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU")
                for i in session.visible_gpus()]
    return [d for d in devices if wanted in (None, d.device_type)]


def set_logical_device_configuration(device, logical_devices):
    """Configures a physical device's logical devices (tf.config).

    A GPU's ``memory_limit`` (MiB) becomes
    ``torch.cuda.set_per_process_memory_fraction(limit / total)``.

    Raises:
        ValueError: for an unknown device or a non-configuration entry.
    """
    kind, index = device_index(device)
    configurations = list(logical_devices or [])
    for c in configurations:
        if not isinstance(c, LogicalDeviceConfiguration):
            raise ValueError(
                "`logical_devices` must be a list of "
                "LogicalDeviceConfiguration. Received: an item "
                f"{c!r} of type {type(c).__name__}"
            )
    session.set_logical_configuration(kind, index, configurations)


def get_logical_device_configuration(device):
    """The configurations set for ``device``, or None."""
    kind, index = device_index(device)
    return session.logical_configuration(kind, index)


def set_soft_device_placement(enabled):
    """Accepted: placement already falls back to the CPU."""
    session.SETTINGS.soft_placement = bool(enabled)


def get_soft_device_placement():
    return session.SETTINGS.soft_placement
