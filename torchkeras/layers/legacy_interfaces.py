"""Keras 1 argument spellings, accepted as Keras 2.0-2.2 accepted them.

Keras 2 kept Keras 1 code running for a while: ``Dense(50,
W_regularizer=l2(1e-4))``, ``Convolution2D(8, 5, 5, subsample=(1, 1),
border_mode='same')``, ``Dropout(p=0.5)``, ``Model(input=x, output=y)``,
``fit(nb_epoch=10)`` were renamed to the Keras 2 arguments with a
``UserWarning`` spelling out the Keras 2 call (keras-team/keras 2.2
``keras/legacy/interfaces.py``). This module holds that mapping, one table
entry per layer family, and applies it:

- ``install()`` wraps the constructors of the layers in ``LAYER_SPECS``
  (the layer files know nothing of Keras 1); a call without a Keras 1 name
  costs one set intersection;
- ``Convolution2D``/``Convolution3D`` are the Keras 1 names: there,
  integer positional kernel dimensions (``Convolution2D(8, 5, 5)``) mean
  ``kernel_size=(5, 5)``, as Keras 2.2 read them. Under ``Conv2D`` the
  third positional argument stays tf.keras 2's ``strides`` unless the call
  also uses a Keras 1 keyword. Both names build the very same ``Conv2D``;
- ``model_kwargs``, ``fit_kwargs`` and ``generator_kwargs`` rename the
  arguments of ``Model(...)``, ``fit`` and the ``*_generator`` methods; the
  engine calls them.

Keras 1's ``samples_per_epoch``/``nb_val_samples`` counted samples; they
become ``ceil(samples / batch_size)`` steps, the batch size read from the
generator's ``batch_size`` or from its first batch (Keras 2.2 floored by
``generator.batch_size`` and otherwise took the sample count as steps).
"""

import functools
import itertools
import math
import warnings

from torchkeras.utils import tree

_DATA_FORMATS = {"dim_ordering": {"tf": "channels_last",
                                  "th": "channels_first",
                                  "default": None}}
_BIAS = (("W_regularizer", "kernel_regularizer"),
         ("b_regularizer", "bias_regularizer"),
         ("W_constraint", "kernel_constraint"),
         ("b_constraint", "bias_constraint"),
         ("bias", "use_bias"))
_CONV = (("nb_filter", "filters"), ("subsample", "strides"),
         ("border_mode", "padding"), ("dim_ordering", "data_format"),
         ("init", "kernel_initializer")) + _BIAS
_RECURRENT = (("output_dim", "units"), ("init", "kernel_initializer"),
              ("inner_init", "recurrent_initializer"),
              ("inner_activation", "recurrent_activation"),
              ("W_regularizer", "kernel_regularizer"),
              ("b_regularizer", "bias_regularizer"),
              ("U_regularizer", "recurrent_regularizer"),
              ("dropout_W", "dropout"), ("dropout_U", "recurrent_dropout"),
              ("consume_less", "implementation"))


class Spec:
    """How one family's Keras 1 arguments become Keras 2 ones.

    Args:
        conversions: ``(keras1_name, keras2_name)`` pairs.
        values: ``{keras1_name: {keras1_value: keras2_value}}``.
        preprocess: ``fn(args, kwargs, keras1_call) -> (args, kwargs,
            converted)`` for what a rename cannot say.
        triggers: further Keras 1 keywords ``preprocess`` reads.
    """

    def __init__(self, conversions=(), values=None, preprocess=None,
                 triggers=()):
        self.conversions = tuple(conversions)
        self.values = values or {}
        self.preprocess = preprocess
        self.keys = frozenset([old for old, _ in self.conversions]
                              + list(triggers))

    def convert(self, args, kwargs, keras1_call=False):
        """``(args, kwargs, converted)`` in Keras 2 spelling."""
        converted = []
        if self.preprocess is not None:
            args, kwargs, converted = self.preprocess(
                args, kwargs, keras1_call or bool(self.keys & kwargs.keys()))
        for key, table in self.values.items():
            if key in kwargs and _hashable(kwargs[key]) and (
                    kwargs[key] in table):
                kwargs[key] = table[kwargs[key]]
        for old, new in self.conversions:
            if old in kwargs:
                if new in kwargs:
                    raise TypeError(
                        f"For the `{new}` argument, the layer received both "
                        f"the legacy keyword argument `{old}` and the Keras "
                        f"2 keyword argument `{new}`. Stick to the latter! "
                        f"Received: {old}={kwargs[old]!r}, "
                        f"{new}={kwargs[new]!r}"
                    )
                kwargs[new] = kwargs.pop(old)
                converted.append((new, old))
        return args, kwargs, converted


def _hashable(value):
    try:
        hash(value)
    except TypeError:
        return False
    return True


# ----------------------------------------------------------------------
# Preprocessors: what Keras 2.2's `*_args_preprocessor` functions did.

def _input_dim(args, kwargs, converted):
    if "input_dim" in kwargs and "input_shape" not in kwargs:
        length = kwargs.pop("input_length", None)
        kwargs["input_shape"] = (length, kwargs.pop("input_dim"))
        converted.append(("input_shape", "input_dim"))
    return args, kwargs, converted


def _conv1d(args, kwargs, keras1_call):
    return _input_dim(args, kwargs, [])


def _kernel_dims(args, kwargs, keras1_call, rank):
    """Keras 1 kernel dimensions: ``(nb_filter, nb_row, nb_col)``
    positionally or as ``nb_row``/``nb_col`` (``kernel_dim1..3``)."""
    names = (("nb_row", "nb_col") if rank == 2 else
             ("kernel_dim1", "kernel_dim2", "kernel_dim3"))
    args = list(args)
    given = [a for a in args[1:] if isinstance(a, int)]
    if keras1_call and len(args) == 1 + rank and len(given) == rank:
        clash = [k for k in ("padding", "strides", "data_format")
                 if k in kwargs]
        if clash:
            raise ValueError(
                "It seems that you are using the Keras 2 API and you are "
                "passing both `kernel_size` and `strides` as integer "
                "positional arguments. For safety reasons, this is "
                "disallowed. Pass `strides` as a keyword argument instead. "
                f"Received: positional {tuple(args)} with "
                f"{', '.join(clash)}"
            )
        return [args[0], tuple(args[1:])], kwargs, [("kernel_size", "/".join(
            names))]
    rest = names[len(args) - 1:] if len(args) <= rank else ()
    if 1 <= len(args) <= rank and rest and all(n in kwargs for n in rest):
        kernel = tuple(args[1:]) + tuple(kwargs.pop(n) for n in rest)
        return [args[0], kernel], kwargs, [("kernel_size", "/".join(names))]
    if not args and all(n in kwargs for n in names):
        kwargs["kernel_size"] = tuple(kwargs.pop(n) for n in names)
        return args, kwargs, [("kernel_size", "/".join(names))]
    return args, kwargs, []


def _conv2d(args, kwargs, keras1_call):
    return _kernel_dims(args, kwargs, keras1_call, 2)


def _conv3d(args, kwargs, keras1_call):
    return _kernel_dims(args, kwargs, keras1_call, 3)


def _separable_conv2d(args, kwargs, keras1_call):
    converted = []
    if "init" in kwargs:
        init = kwargs.pop("init")
        kwargs["depthwise_initializer"] = init
        kwargs["pointwise_initializer"] = init
        converted.append(("depthwise_initializer/pointwise_initializer",
                          "init"))
    args, kwargs, more = _conv2d(args, kwargs, keras1_call)
    return args, kwargs, converted + more


def _deconv2d(args, kwargs, keras1_call):
    converted = []
    if len(args) == 4 and isinstance(args[3], tuple):
        args = args[:3]
        converted.append(("(none)", "output_shape"))
    if "output_shape" in kwargs:
        kwargs.pop("output_shape")
        converted.append(("(none)", "output_shape"))
    args, kwargs, more = _conv2d(args, kwargs, keras1_call)
    return args, kwargs, converted + more


def _forget_bias(kwargs, converted):
    if "forget_bias_init" in kwargs:
        if kwargs.pop("forget_bias_init") == "one":
            kwargs["unit_forget_bias"] = True
            converted.append(("unit_forget_bias", "forget_bias_init"))
        else:
            warnings.warn(
                "The `forget_bias_init` argument has been ignored. Use "
                "`unit_forget_bias=True` instead to initialize with ones.",
                stacklevel=5)
    return converted


def _recurrent(args, kwargs, keras1_call):
    converted = _forget_bias(kwargs, [])
    return _input_dim(args, kwargs, converted)


def _convlstm2d(args, kwargs, keras1_call):
    converted = _forget_bias(kwargs, [])
    args, kwargs, more = _conv2d(args, kwargs, keras1_call)
    return args, kwargs, converted + more


def _embedding(args, kwargs, keras1_call):
    if "dropout" in kwargs:
        kwargs.pop("dropout")
        warnings.warn(
            "The `dropout` argument is no longer supported in `Embedding`. "
            "You can apply a `keras.layers.SpatialDropout1D` layer right "
            "after the `Embedding` layer to get the same behavior.",
            stacklevel=4)
    return args, kwargs, []


def _batchnorm(args, kwargs, keras1_call):
    converted = []
    if "mode" in kwargs:
        mode = kwargs.pop("mode")
        if mode != 0:
            raise TypeError(
                "The `mode` argument of `BatchNormalization` no longer "
                "exists. `mode=1` and `mode=2` are no longer supported. "
                f"Received: mode={mode!r}"
            )
        converted.append(("(none)", "mode"))
    return args, kwargs, converted


def _zeropadding2d(args, kwargs, keras1_call):
    def pads(d):
        return ((d.get("top_pad", 0), d.get("bottom_pad", 0)),
                (d.get("left_pad", 0), d.get("right_pad", 0)))

    keys = {"top_pad", "bottom_pad", "left_pad", "right_pad"}
    converted = []
    padding = kwargs.get("padding")
    if isinstance(padding, dict) and set(padding) <= keys:
        kwargs["padding"] = pads(padding)
        converted.append(("padding", "padding (dict)"))
    elif args and isinstance(args[0], dict) and set(args[0]) <= keys:
        args = [pads(args[0])] + list(args[1:])
        converted.append(("padding", "padding (dict)"))
    return args, kwargs, converted


_RECURRENT_SPEC = Spec(_RECURRENT, {"consume_less": {"cpu": 1, "mem": 1,
                                                     "gpu": 2}},
                       _recurrent, ("forget_bias_init", "input_dim"))
_CONV2D_SPEC = Spec(_CONV, _DATA_FORMATS, _conv2d, ("nb_row", "nb_col"))
_CONV3D_SPEC = Spec(_CONV, _DATA_FORMATS, _conv3d,
                    ("kernel_dim1", "kernel_dim2", "kernel_dim3"))
_DIM_ORDERING_SPEC = Spec((("dim_ordering", "data_format"),),
                          _DATA_FORMATS)
_POOLING_SPEC = Spec((("border_mode", "padding"),
                      ("dim_ordering", "data_format")), _DATA_FORMATS)
_POOLING1D_SPEC = Spec((("pool_length", "pool_size"), ("stride", "strides"),
                        ("border_mode", "padding")))
_RATE_SPEC = Spec((("p", "rate"),))

# Layer class name -> Spec (Keras 2.2 `legacy_*_support` decorators).
LAYER_SPECS = {
    "Dense": Spec((("output_dim", "units"),
                   ("init", "kernel_initializer")) + _BIAS),
    "Dropout": _RATE_SPEC,
    "GaussianDropout": _RATE_SPEC,
    "SpatialDropout1D": _RATE_SPEC,
    "SpatialDropout2D": Spec((("p", "rate"),
                              ("dim_ordering", "data_format")),
                             _DATA_FORMATS),
    "SpatialDropout3D": Spec((("p", "rate"),
                              ("dim_ordering", "data_format")),
                             _DATA_FORMATS),
    "GaussianNoise": Spec((("sigma", "stddev"),)),
    "Embedding": Spec((("init", "embeddings_initializer"),
                       ("W_regularizer", "embeddings_regularizer"),
                       ("W_constraint", "embeddings_constraint")),
                      preprocess=_embedding, triggers=("dropout",)),
    "PReLU": Spec((("init", "alpha_initializer"),)),
    "SimpleRNN": _RECURRENT_SPEC,
    "GRU": _RECURRENT_SPEC,
    "LSTM": _RECURRENT_SPEC,
    "MaxPooling1D": _POOLING1D_SPEC,
    "AveragePooling1D": _POOLING1D_SPEC,
    "MaxPooling2D": _POOLING_SPEC,
    "AveragePooling2D": _POOLING_SPEC,
    "MaxPooling3D": _POOLING_SPEC,
    "AveragePooling3D": _POOLING_SPEC,
    "GlobalMaxPooling2D": _DIM_ORDERING_SPEC,
    "GlobalAveragePooling2D": _DIM_ORDERING_SPEC,
    "GlobalMaxPooling3D": _DIM_ORDERING_SPEC,
    "GlobalAveragePooling3D": _DIM_ORDERING_SPEC,
    "UpSampling1D": Spec((("length", "size"),)),
    "UpSampling2D": _DIM_ORDERING_SPEC,
    "UpSampling3D": _DIM_ORDERING_SPEC,
    "ZeroPadding2D": Spec((("dim_ordering", "data_format"),),
                          _DATA_FORMATS, _zeropadding2d),
    "ZeroPadding3D": _DIM_ORDERING_SPEC,
    "Cropping2D": _DIM_ORDERING_SPEC,
    "Cropping3D": _DIM_ORDERING_SPEC,
    "Conv1D": Spec((("nb_filter", "filters"),
                    ("filter_length", "kernel_size"),
                    ("subsample_length", "strides"),
                    ("border_mode", "padding"),
                    ("init", "kernel_initializer")) + _BIAS,
                   preprocess=_conv1d, triggers=("input_dim",)),
    "Conv2D": _CONV2D_SPEC,
    "Conv3D": _CONV3D_SPEC,
    "SeparableConv2D": Spec(
        [c for c in _CONV if c[0] not in ("init", "W_regularizer",
                                          "W_constraint")],
        _DATA_FORMATS, _separable_conv2d, ("init", "nb_row", "nb_col")),
    "Conv2DTranspose": Spec(_CONV, _DATA_FORMATS, _deconv2d,
                            ("output_shape", "nb_row", "nb_col")),
    "ConvLSTM2D": Spec(_CONV + (
        ("inner_init", "recurrent_initializer"),
        ("U_regularizer", "recurrent_regularizer"),
        ("inner_activation", "recurrent_activation"),
        ("dropout_W", "dropout"), ("dropout_U", "recurrent_dropout")),
        _DATA_FORMATS, _convlstm2d, ("forget_bias_init", "nb_row",
                                     "nb_col")),
    "BatchNormalization": Spec((("beta_init", "beta_initializer"),
                                ("gamma_init", "gamma_initializer")),
                               preprocess=_batchnorm, triggers=("mode",)),
}

_MODEL_SPEC = Spec((("input", "inputs"), ("output", "outputs")))
_GENERATOR_SPEC = Spec((("samples_per_epoch", "steps_per_epoch"),
                        ("val_samples", "steps"), ("nb_epoch", "epochs"),
                        ("nb_val_samples", "validation_steps"),
                        ("nb_worker", "workers"),
                        ("pickle_safe", "use_multiprocessing")))


# ----------------------------------------------------------------------
# Applying the specs.

def _short(value):
    text = f'"{value}"' if isinstance(value, str) else (
        "array" if hasattr(value, "__array__") else repr(value))
    return text if len(text) <= 12 else text[:12] + "..."


def _warn(name, args, kwargs, stacklevel):
    parts = [_short(a) for a in args] + [
        f"{k}={_short(v)}" for k, v in kwargs.items()]
    warnings.warn(
        f"Update your `{name}` call to the Keras 2 API: "
        f"`{name}({', '.join(parts)})`", UserWarning, stacklevel=stacklevel)


def _wrap_init(cls, spec):
    init = cls.__init__

    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if kwargs and not spec.keys.isdisjoint(kwargs) or (
                spec.preprocess is _zeropadding2d):
            args, kwargs, converted = spec.convert(args, kwargs)
            if converted:
                _warn(type(self).__name__, args, kwargs, stacklevel=3)
        init(self, *args, **kwargs)

    __init__._keras1_spec = spec
    cls.__init__ = __init__


class _Keras1Name(type):
    """The metaclass of a Keras 1 layer name (``Convolution2D``): calling
    it builds the Keras 2 class, reading positional kernel dimensions the
    Keras 1 way; ``isinstance`` answers for the Keras 2 class."""

    def __call__(cls, *args, **kwargs):
        target = cls.__dict__.get("_keras2_class")
        if target is None:  # a user's subclass: an ordinary class
            return super().__call__(*args, **kwargs)
        spec = target.__init__._keras1_spec
        args, kwargs, converted = spec.convert(args, kwargs,
                                               keras1_call=True)
        if converted:
            _warn(target.__name__, args, kwargs, stacklevel=3)
        return target(*args, **kwargs)

    def __instancecheck__(cls, obj):
        target = cls.__dict__.get("_keras2_class")
        if target is not None:
            return isinstance(obj, target)
        return super().__instancecheck__(obj)

    def __subclasscheck__(cls, sub):
        target = cls.__dict__.get("_keras2_class")
        if target is not None:
            return issubclass(sub, target)
        return super().__subclasscheck__(sub)


def keras1_name(target):
    """The Keras 1 name's class: it builds ``target`` from Keras 1
    arguments and, as an alias would, carries ``target``'s name."""
    return _Keras1Name(target.__name__, (target,), {
        "_keras2_class": target, "__module__": target.__module__,
        "__qualname__": target.__qualname__,
        "__doc__": _keras1_doc(target)})


def _keras1_doc(target):
    """``target``'s docstring with a note, after its summary line, that
    this is the Keras 1 name (a docstring of its own for the API
    reference)."""
    summary, _, rest = (target.__doc__ or "").partition("\n")
    note = (
        f"\n\n    `Convolution{target.__name__[-2:]}` is the Keras 1 name "
        f"of `{target.__name__}`: it\n    builds a `{target.__name__}`, "
        "reading Keras 1 argument names and positional\n    kernel "
        "dimensions (with a warning).")
    return summary + note + "\n" + rest


def install(namespace):
    """Wraps the constructors of the classes ``LAYER_SPECS`` names.

    ``namespace``: the ``layers`` package's names, where the classes are.
    """
    for name, spec in LAYER_SPECS.items():
        cls = namespace.get(name)
        if cls is None or "_keras1_spec" in vars(cls).get(
                "__init__", lambda: None).__dict__:
            continue
        _wrap_init(cls, spec)


def _convert_call(name, spec, kwargs, stacklevel=5):
    _, kwargs, converted = spec.convert((), dict(kwargs))
    if converted:
        _warn(name, (), kwargs, stacklevel=stacklevel)
    return kwargs


def model_kwargs(kwargs):
    """``Model(input=..., output=...)`` -> ``inputs``/``outputs``."""
    if "input" not in kwargs and "output" not in kwargs:
        return kwargs
    return _convert_call("Model", _MODEL_SPEC, kwargs)


def fit_epochs(epochs, kwargs):
    """``fit(nb_epoch=...)``: the epochs to run (Keras 2 ``training.py``
    renamed it with a warning). ``kwargs``: what ``fit`` did not name."""
    kwargs = dict(kwargs)
    if "nb_epoch" in kwargs:
        warnings.warn("The `nb_epoch` argument in `fit` has been renamed "
                      "`epochs`.", UserWarning, stacklevel=3)
        epochs = kwargs.pop("nb_epoch")
    if kwargs:
        raise TypeError(
            "`fit` got unexpected keyword argument(s) "
            f"{sorted(kwargs)}. Received: {kwargs}"
        )
    return epochs


def generator_args(method, generator, named, kwargs):
    """The Keras 1 arguments of ``fit_generator`` and friends.

    Args:
        method: the method's name, for messages.
        generator: the data generator (or Sequence).
        named: the method's Keras 2 arguments Keras 1 names may set
            (``steps_per_epoch``, ``epochs``, ``validation_data``,
            ``validation_steps``, ``steps``).
        kwargs: the keyword arguments the method did not name.

    Returns:
        ``(generator, named)``: the generator is re-chained when its first
        batch had to be read for the batch size.
    """
    kwargs = dict(kwargs)
    samples = kwargs.pop("samples_per_epoch", None)
    val_samples = kwargs.pop("nb_val_samples", None)
    steps_samples = kwargs.pop("val_samples", None)
    unknown = set(kwargs) - _GENERATOR_SPEC.keys
    if unknown:
        raise TypeError(
            f"`{method}` got unexpected keyword argument(s) "
            f"{sorted(unknown)}. Received: {kwargs}"
        )
    converted = _convert_call(method, _GENERATOR_SPEC, kwargs)
    named = dict(named)
    for key in ("epochs", "steps"):
        if key in converted:
            named[key] = converted[key]
    if samples is not None:
        generator, size = _batch_size_of(generator)
        named["steps_per_epoch"] = _samples_to_steps(
            method, "samples_per_epoch", "steps_per_epoch", samples, size)
    if steps_samples is not None:
        generator, size = _batch_size_of(generator)
        named["steps"] = _samples_to_steps(
            method, "val_samples", "steps", steps_samples, size)
    data = named.get("validation_data")
    if val_samples is not None and data is not None and not isinstance(
            data, (tuple, list)):
        data, size = _batch_size_of(data)
        named["validation_data"] = data
        named["validation_steps"] = _samples_to_steps(
            method, "nb_val_samples", "validation_steps", val_samples, size)
    return generator, named


def _samples_to_steps(method, old, new, samples, batch_size):
    steps = math.ceil(samples / batch_size)
    warnings.warn(
        f"Update your `{method}` call to the Keras 2 API: `{old}={samples}` "
        f"counted samples; Keras 2 counts batches: `{new}={steps}` "
        f"(batches of {batch_size}).", UserWarning, stacklevel=4)
    return steps


def _batch_size_of(generator):
    """``(generator, batch_size)``; a plain iterator's first batch is read
    and put back in front."""
    size = getattr(generator, "batch_size", None)
    if isinstance(size, int) and size > 0:
        return generator, size
    if hasattr(generator, "__getitem__") and hasattr(generator, "__len__"):
        first = generator[0]
        rest = generator
    else:
        iterator = iter(generator)
        first = next(iterator)
        rest = itertools.chain([first], iterator)
    leaf = tree.flatten(first)[0]
    return rest, int(leaf.shape[0])
