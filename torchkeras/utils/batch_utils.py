"""Packing and unpacking a batch as ``(x, y, sample_weight)``.

tf.keras 2 exports these as ``keras.utils.unpack_x_y_sample_weight`` and
``pack_x_y_sample_weight`` for custom ``train_step`` code; the engine's
data adapters use the same functions.
"""

from torchkeras.utils import tree


def unpack_x_y_sample_weight(data):
    """Splits a batch into ``(x, y, sample_weight)`` as Keras does.

    Args:
        data: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``
            (a list is read as a tuple).

    Returns:
        ``(x, y, sample_weight)``, with ``None`` for what is missing.

    Examples:
        >>> unpack_x_y_sample_weight((1, 2))
        (1, 2, None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
        f"`(x, y, sample_weight)`. Received: data={describe(data)}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """Packs ``x``, ``y`` and ``sample_weight`` into one batch.

    A lone ``x`` (a tensor, or a dict of them) is returned as is, as
    Keras 3 hands it to ``train_step``; a tuple or list is wrapped as
    ``(x,)`` so that unpacking gives it back.

    Args:
        x: The features.
        y: The targets, or `None`.
        sample_weight: The sample weights, or `None`.

    Returns:
        `(x, y)` or `(x, y, sample_weight)`; `x` (or `(x,)`) alone when `y`
        and `sample_weight` are `None`.

    Examples:
        >>> keras.utils.pack_x_y_sample_weight(1, 2)
        (1, 2)
        >>> keras.utils.pack_x_y_sample_weight(1, 2, 0.5)
        (1, 2, 0.5)
    """
    if y is None:
        return (x,) if isinstance(x, (tuple, list)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def describe(data):
    """The structure of ``data`` with each array as its type and shape."""
    return tree.map_structure(
        lambda v: f"<{type(v).__name__} shape={getattr(v, 'shape', '?')}>",
        data)
