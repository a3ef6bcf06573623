"""Nested structures (lists, tuples, dicts of leaves), as Keras's ``tree``.

Dicts are traversed in sorted-key order, like ``tf.nest``; ``None`` is a
leaf. Used by the graph to find KerasTensors inside call arguments and by the
engine to walk inputs and targets.
"""


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def flatten(structure):
    """Returns the leaves of ``structure`` in a fixed order."""
    out = []
    _flatten_into(structure, out)
    return out


def _flatten_into(x, out):
    if isinstance(x, dict):
        for key in sorted(x, key=str):
            _flatten_into(x[key], out)
    elif isinstance(x, (list, tuple)):
        for item in x:
            _flatten_into(item, out)
    else:
        out.append(x)


def map_structure(fn, structure):
    """Applies ``fn`` to every leaf, keeping the structure."""
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):
        return type(structure)(*(map_structure(fn, v) for v in structure))
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    return fn(structure)


def pack_sequence_as(structure, flat):
    """Inverse of ``flatten``: rebuilds ``structure`` from ``flat`` leaves."""
    it = iter(flat)

    def rebuild(x):
        if isinstance(x, dict):
            keys = sorted(x, key=str)
            values = {k: rebuild(x[k]) for k in keys}
            return {k: values[k] for k in x}
        if isinstance(x, tuple) and hasattr(x, "_fields"):
            return type(x)(*(rebuild(v) for v in x))
        if isinstance(x, (list, tuple)):
            return type(x)(rebuild(v) for v in x)
        return next(it)

    return rebuild(structure)
