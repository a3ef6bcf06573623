"""Dtype policies: the dtype a layer computes in and keeps its weights in.

Owns ``DTypePolicy`` (``'float32'``, ``'mixed_float16'``,
``'mixed_bfloat16'``, any dtype name), the global policy that new layers
take (Keras 3 ``set_dtype_policy``, tf.keras 2 ``set_global_policy``), and
the scope a layer's ``call`` runs in:

- a mixed policy keeps variables in float32 and computes under
  ``torch.autocast(device_type, dtype=float16|bfloat16)``;
- a float policy (``dtype='float32'``) called inside such a region turns
  autocast off, so Keras's final ``Activation('softmax', dtype='float32')``
  computes in float32. A ``torch.autocast`` the user entered around a plain
  float32 model is left alone.

As in Keras 3, ``clear_session()`` resets the global policy. Loss scaling is
``LossScaleOptimizer``'s. This module imports only ``backend`` so that
``layers`` may read it.
"""

import torch

from torchkeras.backend import config
from torchkeras.backend import global_state
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.utils.registry import keras_export

_MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
_AUTOCAST_TYPES = ("cpu", "cuda", "xpu", "mps", "hpu")


@keras_export(
    "keras.mixed_precision.DTypePolicy",
    "keras.mixed_precision.Policy",
)
class DTypePolicy:
    """A dtype policy: the compute dtype and the variable dtype of a layer.

    ``'mixed_float16'`` and ``'mixed_bfloat16'`` compute in half precision
    and keep float32 variables; any other dtype name (``'float32'``) uses
    that dtype for both. tf.keras 2 calls this class ``Policy``.

    Args:
        name: the policy name; default ``backend.floatx()``.

    Raises:
        TypeError: if `name` is not a string.
        ValueError: if `name` is neither a mixed policy nor a dtype name.

    Examples:
        >>> policy = keras.mixed_precision.DTypePolicy("mixed_bfloat16")
        >>> policy.compute_dtype, policy.variable_dtype
        ('bfloat16', 'float32')
    """

    def __init__(self, name=None):
        if name is None:
            name = config.floatx()
        if not isinstance(name, str):
            raise TypeError(
                "'name' must be a string, such as 'mixed_float16'. "
                f"Received: name={name!r} (of type {type(name).__name__})"
            )
        self._name = name
        self._compute_dtype, self._variable_dtype = _parse_name(name)
        self._is_mixed = name in _MIXED
        self._torch_compute_dtype = (
            config.to_torch_dtype(self._compute_dtype)
            if config.is_float_dtype(self._compute_dtype) else None)

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        """The dtype of the layer's computations (``'float16'``)."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of the layer's weights (``'float32'``)."""
        return self._variable_dtype

    @property
    def quantization_mode(self):
        return None

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __eq__(self, other):
        if not isinstance(other, DTypePolicy):
            return NotImplemented
        return self._name == other._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


Policy = DTypePolicy  # tf.keras 2 name.


def _parse_name(name):
    if name in _MIXED:
        return _MIXED[name], "float32"
    try:
        dtype = config.standardize_dtype(name)
    except ValueError:
        raise ValueError(
            f"Cannot convert '{name}' to a mixed precision DTypePolicy. "
            "Valid policies include 'mixed_float16', 'mixed_bfloat16', and "
            "the name of any float dtype such as 'float32'. "
            f"Received: name={name!r}"
        ) from None
    return dtype, dtype


# ----------------------------------------------------------------------
# The global policy.

_GLOBAL = {"policy": None}


@keras_export(
    "keras.mixed_precision.set_dtype_policy",
    "keras.mixed_precision.set_global_policy",
)
def set_dtype_policy(policy):
    """Sets the policy of layers created from now on (Keras 3 name).

    tf.keras 2 calls it `set_global_policy`; both names are exported.

    Args:
        policy: A policy name (`'mixed_float16'`), a `DTypePolicy`, or
            `None` for `backend.floatx()`.

    Raises:
        ValueError: For anything else, or a non-float policy.

    Examples:
        >>> keras.mixed_precision.set_dtype_policy("mixed_float16")
        >>> keras.mixed_precision.dtype_policy().compute_dtype
        'float16'
        >>> keras.mixed_precision.set_dtype_policy(None)
    """
    if policy is None:
        _GLOBAL["policy"] = None
        return
    if isinstance(policy, str):
        policy = DTypePolicy(policy)
    if not isinstance(policy, DTypePolicy):
        raise ValueError(
            "Invalid `policy` argument. Expected the string name of a "
            "policy (such as 'mixed_float16') or a `DTypePolicy` instance. "
            f"Received: policy={policy!r} (of type {type(policy).__name__})"
        )
    if not config.is_float_dtype(policy.compute_dtype):
        raise ValueError(
            "The global policy can only be set to a floating-point policy, "
            "such as 'float32' or 'mixed_float16'. "
            f"Received: policy={policy.name!r}"
        )
    _GLOBAL["policy"] = policy


@keras_export(
    "keras.mixed_precision.dtype_policy",
    "keras.mixed_precision.global_policy",
)
def dtype_policy():
    """The global policy (`DTypePolicy(floatx())` unless one was set).

    tf.keras 2 calls it `global_policy`; both names are exported.

    Returns:
        A `DTypePolicy`.

    Examples:
        >>> keras.mixed_precision.dtype_policy()
        <DTypePolicy "float32">
    """
    policy = _GLOBAL["policy"]
    if policy is None:
        return DTypePolicy(config.floatx())
    return policy


set_global_policy = set_dtype_policy  # tf.keras 2 names.
global_policy = dtype_policy


def _reset_global_policy():
    _GLOBAL["policy"] = None


global_state.register_reset_hook(_reset_global_policy)


def get(identifier):
    """The policy that a layer's ``dtype`` argument names.

    Accepts None (the global policy), a `DTypePolicy`, a policy or dtype
    name, a torch or NumPy dtype, or a serialized policy (Keras 3
    ``{"class_name": "DTypePolicy", "config": {"name": ...}}``, tf.keras 2
    ``{"class_name": "Policy", ...}``).
    """
    if identifier is None:
        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, dict):
        name = identifier.get("config", {}).get("name")
        return DTypePolicy(name if name is not None else config.floatx())
    name = getattr(identifier, "name", identifier)
    if isinstance(name, str) and name in _MIXED:
        return DTypePolicy(name)
    return DTypePolicy(config.standardize_dtype(name))


def serialize(policy):
    """What a layer's ``get_config()`` writes as ``dtype``.

    A plain policy is its dtype name, as before; a mixed one is Keras 3's
    serialized ``DTypePolicy``, so configs and files keep it.
    """
    if not policy._is_mixed:
        return policy.variable_dtype
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": policy.name}, "registered_name": None}


# ----------------------------------------------------------------------
# The scope of a layer call.


def call_with_policy(policy, inputs, call, args, kwargs):
    """Runs ``call(*args, **kwargs)`` as a layer with ``policy`` computes.

    A mixed layer runs under ``torch.autocast`` of its compute dtype (unless
    already inside one); a float layer inside a mixed layer's call runs
    with autocast off. Meta tensors (shape inference) get neither: their
    dtypes come from the input casts alone.
    """
    device_type = _device_type(inputs)
    if device_type is None:
        return call(*args, **kwargs)
    if policy._is_mixed:
        dtype = policy._torch_compute_dtype
        if (torch.is_autocast_enabled(device_type)
                and torch.get_autocast_dtype(device_type) == dtype):
            return call(*args, **kwargs)
        context = CALL_CONTEXT
        context.mixed_calls += 1
        try:
            with torch.autocast(device_type, dtype=dtype):
                return call(*args, **kwargs)
        finally:
            context.mixed_calls -= 1
    if (policy._torch_compute_dtype is None
            or not torch.is_autocast_enabled(device_type)):
        return call(*args, **kwargs)
    with torch.autocast(device_type, enabled=False):
        return call(*args, **kwargs)


def _device_type(inputs):
    tensor = _first_tensor(inputs)
    if tensor is None:
        return None
    device_type = tensor.device.type
    return device_type if device_type in _AUTOCAST_TYPES else None


def _first_tensor(x):
    if torch.is_tensor(x):
        return x
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (list, tuple)):
        for item in x:
            found = _first_tensor(item)
            if found is not None:
                return found
    return None


def cast_outputs_to_float32(outputs):
    """Half-precision float outputs of a mixed model, as float32."""
    if torch.is_tensor(outputs):
        if outputs.dtype in (torch.float16, torch.bfloat16):
            cast = outputs.float()
            logits = getattr(outputs, "_keras_logits", None)
            if logits is not None:
                # A softmax/sigmoid keeps its logits for the loss, in
                # float32 too (tf.keras reads the float32 softmax's input).
                cast._keras_logits = logits.float()
            return cast
        return outputs
    if isinstance(outputs, dict):
        return {k: cast_outputs_to_float32(v) for k, v in outputs.items()}
    if isinstance(outputs, (list, tuple)):
        cast = [cast_outputs_to_float32(v) for v in outputs]
        return type(outputs)(cast) if type(outputs) in (list, tuple) else (
            type(outputs)(*cast))
    return outputs
