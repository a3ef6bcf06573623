"""Output shapes of a layer call, found without computing.

The layer's ``call`` runs on meta-device tensors (shapes and dtypes, no
memory, no arithmetic) with its weights swapped for meta copies through
``torch.func.functional_call``. Unknown dimensions (``None``) are replaced by
probe sizes; two runs with different probes tell which output dimensions
follow an unknown input dimension and so stay unknown. A layer whose ``call``
makes real tensors of its own (which cannot mix with meta ones) is traced
once more on small zero tensors on the CPU.
"""

import torch
from torch.func import functional_call

from torchkeras.backend import config
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.utils import tree

_PROBES = ((2, 12), (3, 20))


def _concrete(args, kwargs, probe, device):
    batch_probe, dim_probe = probe

    def make(x):
        if not isinstance(x, KerasTensor):
            return x
        values = getattr(x, "_probe_values", None)
        if values is not None:  # a shape value (``K.shape(x)[0]``)
            return torch.tensor(values[_PROBES.index(probe)],
                                dtype=config.to_torch_dtype(x.dtype))
        shape = [
            (batch_probe if i == 0 else dim_probe) if d is None else d
            for i, d in enumerate(x.shape)
        ]
        if x.dtype == "string":
            raise ValueError("string inputs cannot be traced")
        dtype = config.to_torch_dtype(x.dtype)
        if device == "meta":
            return torch.empty(shape, dtype=dtype, device="meta")
        return torch.zeros(shape, dtype=dtype)

    return tree.map_structure(make, args), tree.map_structure(make, kwargs)


def _run(layer, args, kwargs, probe, device):
    cargs, ckwargs = _concrete(args, kwargs, probe, device)
    with torch.no_grad():
        if device == "meta":
            state = {
                name: torch.empty_like(t, device="meta")
                for name, t in list(layer.named_parameters())
                + list(layer.named_buffers())
            }
            return functional_call(layer, state, cargs, ckwargs,
                                   strict=False)
        return layer(*cargs, **ckwargs)


def _trace(layer, args, kwargs, probe):
    if any(not getattr(m, "built", True) for m in layer.modules()):
        # Unbuilt sublayers (a subclassed model) must create real weights:
        # trace once on CPU zeros, which builds them.
        try:
            return _run(layer, args, kwargs, probe, "cpu"), None
        except Exception:  # noqa: BLE001 - the meta trace reports
            pass
    try:
        return _run(layer, args, kwargs, probe, "meta"), None
    except Exception as meta_error:  # noqa: BLE001 - retried on the CPU
        try:
            return _run(layer, args, kwargs, probe, "cpu"), None
        except Exception:  # noqa: BLE001 - the meta error is clearer
            return None, meta_error


def infer_output_spec(layer, args, kwargs):
    """Returns KerasTensors shaped like ``layer``'s outputs for ``args``.

    Raises:
        ValueError: naming the layer, the input shapes and torch's message
            when the call fails for these shapes.
    """
    first, error = _trace(layer, args, kwargs, _PROBES[0])
    if error is not None:
        in_shapes = tree.map_structure(
            lambda x: x.shape if isinstance(x, KerasTensor) else x, args[0])
        raise ValueError(
            f"Exception encountered when calling layer '{layer.name}' "
            f"({type(layer).__name__}) on inputs of shape {in_shapes}: "
            f"{error}"
        ) from error
    has_unknown = any(
        isinstance(x, KerasTensor) and (None in x.shape or _varies(x))
        for x in tree.flatten((args, kwargs))
    )
    second = first
    if has_unknown:
        second, error = _trace(layer, args, kwargs, _PROBES[1])
        if error is not None:
            second = first
    first_flat = tree.flatten(first)
    second_flat = tree.flatten(second)
    outs = []
    for a, b in zip(first_flat, second_flat):
        if not torch.is_tensor(a):
            outs.append(a)
            continue
        shape = tuple(
            da if da == db else None for da, db in zip(a.shape, b.shape)
        )
        out = KerasTensor(shape, config.standardize_dtype(a.dtype))
        _keep_shape_values(out, a, b)
        outs.append(out)
    return tree.pack_sequence_as(first, outs)


def _varies(x):
    values = getattr(x, "_probe_values", None)
    return values is not None and values[0] != values[1]


def _keep_shape_values(out, a, b):
    """Small integer results computed from the probes (``K.shape(x)``,
    ``K.shape(x)[0]``) keep their values per probe, so that an op taking
    them as a shape (``K.random_normal((K.shape(x)[0], 8))``) traces with
    the same probe sizes and its output dimension stays unknown."""
    if (a.device.type == "cpu" and b.device.type == "cpu"
            and a.ndim <= 1 and a.numel() <= 8 and a.shape == b.shape
            and not a.dtype.is_floating_point and not a.dtype.is_complex
            and a.dtype != torch.bool):
        out._probe_values = (a.tolist(), b.tolist())

