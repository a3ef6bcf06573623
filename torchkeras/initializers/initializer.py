"""The ``Initializer`` base class every weight initializer derives from.

An initializer is a callable ``init(shape, dtype=None)`` returning a new CPU
tensor of that shape, where ``shape`` is the Keras weight layout (a Dense
kernel is ``(in, out)``). Layers copy the result into their parameters; the
concrete initializers live in ``constant_initializers.py`` and
``random_initializers.py``.
"""

from torchkeras.backend.config import standardize_dtype
from torchkeras.backend.config import to_torch_dtype
from torchkeras.utils.registry import keras_export


@keras_export("keras.initializers.Initializer")
class Initializer:
    """Base class of weight initializers.

    Subclasses implement ``__call__(self, shape, dtype=None)`` and, when
    they take arguments, ``get_config()`` returning them as a dict, so that
    ``cls.from_config(init.get_config())`` rebuilds an equal initializer.

    Examples:
        >>> import torch
        >>> class Halves(Initializer):
        ...     def __call__(self, shape, dtype=None):
        ...         return torch.full(tuple(shape), 0.5)
        >>> Halves()((2,))
        tensor([0.5000, 0.5000])
    """

    def __call__(self, shape, dtype=None):
        raise NotImplementedError(
            f"Initializer {self.__class__.__name__} does not implement "
            "`__call__()`."
        )

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        # TF 1.x-era tf.keras files also stored the dtype; Keras ignores it.
        config = {k: v for k, v in config.items() if k != "dtype"}
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{self.__class__.__name__}({args})"


def standardize_shape(shape):
    """Returns ``shape`` (an int, tuple, list or ``torch.Size``) as a tuple.

    Raises:
        ValueError: for a dimension that is not a non-negative integer.
    """
    if isinstance(shape, int):
        shape = (shape,)
    try:
        dims = tuple(int(d) for d in shape)
    except (TypeError, ValueError):
        dims = None
    if dims is None or any(d < 0 for d in dims):
        raise ValueError(
            "An initializer needs a fully defined shape of non-negative "
            f"integers. Received: shape={shape!r}"
        )
    return dims


def resolve_dtype(dtype, initializer, float_only=False):
    """Returns the torch dtype for ``dtype`` (``None``: ``floatx()``).

    Raises:
        ValueError: when ``float_only`` and ``dtype`` is not a float type.
    """
    torch_dtype = to_torch_dtype(dtype)
    if float_only and not torch_dtype.is_floating_point:
        raise ValueError(
            f"The initializer {initializer.__class__.__name__} only "
            "supports floating point dtypes. "
            f"Received: dtype={standardize_dtype(dtype)}"
        )
    return torch_dtype
