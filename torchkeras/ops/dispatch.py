"""Eager or symbolic: how every op function treats KerasTensors.

An op function (``keras.ops.mean``, ``K.square``, a ``tf.*`` name, a
functional loss or activation) is decorated with ``keras_op``. Called on
tensors it runs its torch code; called from the user's own code (outside any
layer call and any engine step) its tensor results are ``EagerTensor``s,
which read as NumPy as TF's eager tensors do. Called with a KerasTensor
anywhere in its arguments, it computes nothing: it records one
``TFOpLambda`` node in the functional graph (shape and dtype found by the
graph's meta-device tracing), as tf.keras 2 records ``TFOpLambda`` layers
and Keras 3 records ``Operation`` nodes. One mechanism for every op: no op
has a layer class of its own.

Each op is registered under its own name with what the two file dialects
need to write and read it back:

- Keras 3 (``.keras``, ``get_config``): the operation class Keras 3 writes
  (``Mean`` from ``keras.src.ops.numpy``), which arguments are constructor
  arguments (``config``) and which are call arguments (``inbound_nodes``),
  from ``keras3_table.KERAS3_OPS``;
- tf.keras 2 (``.h5``): the TensorFlow function name a ``TFOpLambda`` holds
  (``math.reduce_mean``) and that function's argument names.

An op's registry name also places it in the public API
(``utils/registry.py``): ``"mean"`` is ``keras.ops.mean``,
``"image.resize"`` is ``keras.ops.image.resize`` and ``"backend.square"``
is tf.keras's ``keras.backend.square``, so those namespaces bind what
``keras_op`` recorded. Activations and losses carry their own
``keras_export`` (with their aliases); ``tf.*`` ops have no public path.

This module owns the registry and the dispatch; the layer that runs a
recorded op is ``torchkeras.layers.core.tf_op_layer``.
"""

import functools
import inspect

from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.backend.eager_tensor import eager_outputs
from torchkeras.graph.keras_tensor import KerasTensor
from torchkeras.ops.keras3_table import KERAS3_OPS
from torchkeras.utils.registry import keras_export

_BY_NAME = {}
_BY_KERAS3_CLASS = {}
_BY_TF_NAME = {}
# An op name's prefix -> the public namespace of the op (see above).
_PUBLIC_NAMESPACES = {
    "": "keras.ops",
    "image": "keras.ops.image",
    "backend": "keras.backend",
}


class OpSpec:
    """What the registry knows of one op.

    Attributes:
        name: the registry name (``"mean"``, ``"backend.concatenate"``).
        fn: the eager function (torch in, torch out).
        signature: ``inspect.signature(fn)``.
        keras3: ``(class_name, module, init_args, call_args)`` or None.
        tf_name: the TensorFlow function name (``"math.reduce_mean"``) or
            None.
        tf_args: the TensorFlow function's argument names, matched to
            ``fn``'s parameters by position.
    """

    __slots__ = ("name", "fn", "signature", "params", "keras3", "tf_name",
                 "tf_args", "var_positional")

    def __init__(self, name, fn, keras3=None, tf_name=None, tf_args=()):
        self.name = name
        self.signature = inspect.signature(fn)
        self.params = tuple(
            p.name for p in self.signature.parameters.values()
            if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))
        self.var_positional = next(
            (p.name for p in self.signature.parameters.values()
             if p.kind is p.VAR_POSITIONAL), None)
        self.fn = _in_call_order(fn, self.signature, keras3)
        self.keras3 = keras3
        self.tf_name = tf_name
        self.tf_args = tuple(tf_args)

    def split(self, bound):
        """``(call_args, call_kwargs, static)`` of bound arguments.

        Keras 3 ops put the constructor arguments in ``static`` and the call
        arguments in the call; other ops keep in the call every argument
        holding a KerasTensor and make the rest static.
        """
        if self.keras3 is not None:
            call_names = self.keras3[3]
        else:
            call_names = tuple(
                name for name, value in bound.items() if _has_symbolic(
                    (value,), {}) and name != self.var_positional)
        static = {k: v for k, v in bound.items() if k not in call_names
                  and k != self.var_positional}
        args = []
        kwargs = {}
        for name in call_names:
            if name not in bound:
                continue
            if kwargs or len(args) != call_names.index(name):
                kwargs[name] = bound[name]
            else:
                args.append(bound[name])
        # ``*operands`` (einsum, meshgrid) follow as positional arguments.
        args.extend(bound.get(self.var_positional, ()))
        return args, kwargs, static

    def from_tf_kwargs(self, kwargs):
        """tf.keras 2 keyword names -> this op's parameter names."""
        mapping = dict(zip(self.tf_args, self.params))
        return {mapping.get(k, k): v for k, v in kwargs.items()
                if k != "name"}

    def to_tf_kwargs(self, kwargs):
        mapping = dict(zip(self.params, self.tf_args))
        return {mapping.get(k, k): v for k, v in kwargs.items()}


def _in_call_order(fn, signature, keras3):
    """``fn`` taking its call arguments in Keras 3's call order.

    A recorded node passes the call arguments positionally in the order of
    Keras 3's ``call`` (``Average.call(x, weights)``; ``Einsum.call(
    *operands)``), which can differ from the function's (``average(x,
    axis, weights)``, ``einsum(subscripts, *operands)``); the constant
    arguments come by keyword.
    """
    params = list(signature.parameters.values())
    leading = [p.name for p in params
               if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    has_var = any(p.kind is p.VAR_POSITIONAL for p in params)
    call_names = tuple(keras3[3]) if keras3 is not None else ()
    if not has_var and (keras3 is None or tuple(
            leading[:len(call_names)]) == call_names):
        return fn

    @functools.wraps(fn)
    def run(*args, **kwargs):
        named = dict(zip(call_names, args))
        named.update(kwargs)
        rest = args[len(call_names):]
        if not has_var:
            return fn(*rest, **named)
        head = [named.pop(n) for n in leading if n in named]
        return fn(*head, *rest, **named)

    return run


def _has_symbolic(args, kwargs):
    for value in args:
        if isinstance(value, KerasTensor):
            return True
        if isinstance(value, (list, tuple)) and value and any(
                isinstance(v, KerasTensor) or isinstance(v, (list, tuple))
                and _has_symbolic(v, {}) for v in value):
            return True
    if kwargs:
        return _has_symbolic(tuple(kwargs.values()), {})
    return False


def any_symbolic(*args, **kwargs):
    """True when a KerasTensor is among the (nested) arguments."""
    return _has_symbolic(args, kwargs)


def register(name, fn, keras3=None, tf=None):
    """Registers ``fn`` as the op ``name``; returns its ``OpSpec``.

    Args:
        name: the registry name; a ``keras.ops`` name finds its Keras 3
            class in ``KERAS3_OPS`` unless ``keras3`` is given.
        keras3: a ``KERAS3_OPS`` key to take the Keras 3 class from, or
            False for none.
        tf: ``(tf_function_name, tf_arg_names)`` or None.
    """
    entry = None
    if keras3 is not False:
        entry = KERAS3_OPS.get(keras3 or name)
        if entry is not None and entry[0] is None:
            entry = None
    tf_name, tf_args = tf if tf else (None, ())
    spec = OpSpec(name, fn, entry, tf_name, tf_args)
    if entry is not None:
        unknown = [a for a in entry[2] + entry[3] if a not in spec.params]
        if unknown:
            raise TypeError(
                f"Op '{name}': Keras 3's {entry[0]} has arguments {unknown} "
                f"that the function does not take. Received: "
                f"parameters={spec.params}")
    _BY_NAME[name] = spec
    if entry is not None:
        _BY_KERAS3_CLASS.setdefault(entry[0], spec)
    if tf_name is not None and (name.startswith("tf.")
                                or tf_name not in _BY_TF_NAME):
        # A TF name read from a tf.keras 2 file means TF's semantics: an
        # op written as that TF function (``tf.math.reduce_mean``, which
        # keeps integers integral) wins over the ``keras.ops``/``K.*``
        # ops that write the same name.
        _BY_TF_NAME[tf_name] = spec
    return spec


def public_path(name):
    """The public path of the op ``name`` (``"keras.ops.mean"``), or None
    for an op its namespace exports itself (``activations.relu``) or none
    does (``tf.shape``)."""
    prefix, _, short = name.rpartition(".")
    namespace = _PUBLIC_NAMESPACES.get(prefix)
    return None if namespace is None else f"{namespace}.{short}"


def keras_op(name=None, keras3=None, tf=None):
    """Decorates an eager op function so KerasTensors record a graph node.

    The decorated function is also registered under ``public_path(name)``.

    Examples:
        >>> @keras_op("example_double", keras3=False)
        ... def double(x):
        ...     return x * 2
    """
    def decorate(fn):
        spec = register(name or fn.__name__, fn, keras3=keras3, tf=tf)

        @functools.wraps(fn)
        def op(*args, **kwargs):
            if _has_symbolic(args, kwargs):
                return record(spec, args, kwargs)
            outputs = fn(*args, **kwargs)
            context = CALL_CONTEXT
            if context.depth or context.in_step:
                return outputs
            # Called from the user's own code: the result reads as NumPy
            # and takes NumPy operands, as a TF eager tensor does.
            return eager_outputs(outputs, args, kwargs)

        op.op_spec = spec
        path = public_path(spec.name)
        if path is not None:
            keras_export(path)(op)
        return op

    return decorate


def record(spec, args, kwargs):
    """Records ``spec(*args, **kwargs)`` as a node; returns its outputs."""
    from torchkeras.layers.core.tf_op_layer import TFOpLambda

    try:
        bound = spec.signature.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"Op '{spec.name}': {e}. Received: args={args!r}, "
                        f"kwargs={kwargs!r}") from e
    arguments = dict(bound.arguments)
    for p in spec.signature.parameters.values():
        if p.kind is p.VAR_KEYWORD and p.name in arguments:
            arguments.update(arguments.pop(p.name))
    call_args, call_kwargs, static = spec.split(arguments)
    layer = TFOpLambda(spec.name, arguments=static)
    return layer(*call_args, **call_kwargs)


def get_spec(name):
    """The ``OpSpec`` registered as ``name``, as a Keras 3 class name, or
    as a TensorFlow function name (``tf.`` prefix allowed); None if none."""
    _ensure_registered()
    if name in _BY_NAME:
        return _BY_NAME[name]
    if name in _BY_KERAS3_CLASS:
        return _BY_KERAS3_CLASS[name]
    if name.startswith("tf."):
        name = name[3:]
    return _BY_TF_NAME.get(name)


def registered_names():
    _ensure_registered()
    return sorted(_BY_NAME)


def keras3_class_names():
    _ensure_registered()
    return sorted(_BY_KERAS3_CLASS)


def _ensure_registered():
    # Ops register when their modules are imported; a config may be read
    # before anything imported ``torchkeras.ops`` or the backend.
    import torchkeras.backend  # noqa: F401
    import torchkeras.compat.tf  # noqa: F401  (TF names' own ops)
    import torchkeras.ops  # noqa: F401
