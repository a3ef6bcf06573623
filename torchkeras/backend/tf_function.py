"""``function``: tf.function's decorator on torch.

By default the decorated function runs eagerly, as every torch program does,
but the decorator keeps TF's bookkeeping: each call's *signature* (shape and
dtype of every tensor argument, the value of every other argument) is looked
up among those already seen, a new one counts as a trace, and
``experimental_get_tracing_count()`` reports how many there were, so code
that checks its retracing reads the same numbers as under TF. With
``input_signature`` there is one trace and calls must match it; with
``reduce_retracing=True`` the second shape of a tensor argument relaxes the
differing dimensions (TF's shape relaxation).

With ``jit_compile=True`` each signature gets its own ``torch.compile``d
callable, compiled on its first call; ``set_compile_backend`` picks the
torch.compile backend (``"inductor"`` by default). Works on functions and
methods (one trace cache per instance). The TF-names module re-exports it.
"""

import functools
import weakref

import torch

_COMPILE_BACKEND = ["inductor"]


def set_compile_backend(backend):
    """Sets the ``torch.compile`` backend of ``function(jit_compile=True)``
    (``"inductor"`` by default; ``"aot_eager"`` compiles faster)."""
    _COMPILE_BACKEND[0] = backend


def get_compile_backend():
    """The ``torch.compile`` backend of ``function(jit_compile=True)``."""
    return _COMPILE_BACKEND[0]


class _TensorKey:
    """Shape (``None`` for a relaxed dim) and dtype of a tensor argument."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape = tuple(shape)
        self.dtype = dtype

    def __eq__(self, other):
        return (isinstance(other, _TensorKey) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"TensorSpec(shape={self.shape}, dtype={self.dtype})"

    def accepts(self, other):
        return (isinstance(other, _TensorKey) and self.dtype == other.dtype
                and len(self.shape) == len(other.shape)
                and all(a is None or a == b
                        for a, b in zip(self.shape, other.shape)))

    def relax(self, other):
        """The most specific key accepting both, or None (other rank or
        dtype)."""
        if self.dtype != other.dtype or len(self.shape) != len(other.shape):
            return None
        return _TensorKey([a if a == b else None
                           for a, b in zip(self.shape, other.shape)],
                          self.dtype)


def _key(value):
    """A hashable description of one argument (see the module doc)."""
    if isinstance(value, torch.Tensor):
        return _TensorKey(value.shape, value.dtype)
    if hasattr(value, "__array__") and hasattr(value, "dtype") and hasattr(
            value, "shape"):  # a NumPy array: traced as a tensor, as TF
        return _TensorKey(value.shape, str(value.dtype))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__,) + tuple(_key(v) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple(
            (k, _key(value[k])) for k in sorted(value, key=repr))
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return ("value", type(value).__name__, value)


def _accepts(traced, key):
    """Whether the traced signature ``traced`` serves ``key``."""
    if isinstance(traced, _TensorKey):
        return traced.accepts(key)
    if isinstance(traced, tuple) and isinstance(key, tuple):
        return len(traced) == len(key) and all(
            _accepts(a, b) for a, b in zip(traced, key))
    return traced == key


def _relax(traced, key):
    """``traced`` and ``key`` merged by relaxing tensor dims, or None."""
    if isinstance(traced, _TensorKey):
        return traced.relax(key) if isinstance(key, _TensorKey) else None
    if isinstance(traced, tuple) and isinstance(key, tuple):
        if len(traced) != len(key):
            return None
        merged = [_relax(a, b) for a, b in zip(traced, key)]
        return None if any(m is None for m in merged) else tuple(merged)
    return traced if traced == key else None


def _spec_key(spec):
    """``input_signature`` entries: TensorSpec-like objects (``shape``,
    ``dtype``; ``None`` dims), or structures of them."""
    if isinstance(spec, (list, tuple)):
        return (type(spec).__name__,) + tuple(_spec_key(s) for s in spec)
    if isinstance(spec, dict):
        return ("dict",) + tuple(
            (k, _spec_key(spec[k])) for k in sorted(spec, key=repr))
    shape = getattr(spec, "shape", None)
    if shape is None or not hasattr(spec, "dtype"):
        raise TypeError(
            "Each `input_signature` entry must be a TensorSpec (with "
            f"`shape` and `dtype`). Received: {spec!r}"
        )
    dtype = spec.dtype
    if isinstance(dtype, str):
        dtype = getattr(torch, dtype, dtype)
    return _TensorKey([None if d is None else int(d) for d in shape], dtype)


class Function:
    """A function wrapped by ``function``; see the module docstring."""

    def __init__(self, python_function, input_signature=None,
                 jit_compile=None, reduce_retracing=False, instance=None):
        self._python_function = python_function
        self._input_signature = input_signature
        self._jit_compile = bool(jit_compile)
        self._reduce_retracing = bool(reduce_retracing)
        self._instance = instance
        self._traces = []  # [(signature key, callable)]
        self._tracing_count = 0
        self._bound = weakref.WeakKeyDictionary()
        if input_signature is not None:
            self._fixed_key = _spec_key(tuple(input_signature))
        functools.update_wrapper(self, python_function)

    @property
    def python_function(self):
        """The decorated Python function."""
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def experimental_get_tracing_count(self):
        """How many signatures have been traced so far."""
        return self._tracing_count

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        bound = self._bound.get(instance)
        if bound is None:
            bound = Function(self._python_function, self._input_signature,
                             self._jit_compile, self._reduce_retracing,
                             instance=instance)
            self._bound[instance] = bound
        return bound

    def _target(self):
        fn = self._python_function
        if self._instance is not None:
            fn = functools.partial(fn, self._instance)
        if self._jit_compile:
            # One compiled callable per signature: a fresh wrapper so that
            # its guards belong to this signature only.
            fn = torch.compile(fn, backend=get_compile_backend(),
                               dynamic=None)
        return fn

    def _lookup(self, args, kwargs):
        if self._input_signature is not None:
            key = _key(tuple(args))
            if kwargs or not _accepts(self._fixed_key, key):
                raise TypeError(
                    f"`{self.__name__}` was called with arguments that do "
                    "not match its `input_signature`. Expected: "
                    f"{self._fixed_key!r}. Received: {key!r}"
                    + (f" and keyword arguments {sorted(kwargs)}"
                       if kwargs else "")
                )
            key = self._fixed_key
        else:
            key = (_key(tuple(args)),
                   _key({k: kwargs[k] for k in kwargs}))
        for traced, fn in self._traces:
            if _accepts(traced, key):
                return fn
        if self._reduce_retracing and self._input_signature is None:
            # The latest traces are the most relaxed ones.
            for traced, _ in reversed(self._traces):
                relaxed = _relax(traced, key)
                if relaxed is not None:
                    key = relaxed
                    break
        fn = self._target()
        self._traces.append((key, fn))
        self._tracing_count += 1
        return fn

    def __call__(self, *args, **kwargs):
        return self._lookup(args, kwargs)(*args, **kwargs)


def function(func=None, input_signature=None, autograph=True,
             jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None,
             experimental_attributes=None, experimental_relax_shapes=None,
             experimental_compile=None, experimental_follow_type_hints=None):
    """tf.function: eager by default, ``torch.compile`` with
    ``jit_compile=True``; counts traces per input signature.

    Usable as ``@function``, ``@function(jit_compile=True)`` and on
    methods. ``autograph`` and the ``experimental_*`` arguments are
    accepted for TF compatibility (``experimental_relax_shapes`` and
    ``experimental_compile`` are the old names of ``reduce_retracing`` and
    ``jit_compile``).

    Examples:
        >>> @function
        ... def double(x):
        ...     return x * 2
        >>> double(torch.ones(2)).tolist()
        [2.0, 2.0]
        >>> double.experimental_get_tracing_count()
        1
    """
    del autograph, experimental_implements, experimental_autograph_options
    del experimental_attributes, experimental_follow_type_hints
    if experimental_relax_shapes:
        reduce_retracing = True
    if jit_compile is None and experimental_compile is not None:
        jit_compile = experimental_compile

    def decorate(fn):
        return Function(fn, input_signature=input_signature,
                        jit_compile=jit_compile,
                        reduce_retracing=reduce_retracing)

    if func is not None:
        return decorate(func)
    return decorate
