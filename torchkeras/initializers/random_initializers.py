"""Random initializers: normal, uniform, truncated normal, variance scaling
(Glorot, He, LeCun) and orthogonal.

``shape`` is the Keras weight layout, so fans follow Keras's
``compute_fans`` (a Conv2D kernel is ``(kh, kw, in, out)``). Seeds: with
``seed=None`` values come from torch's global generator, so
``torch.manual_seed`` (or ``utils.set_random_seed``) makes a run
reproducible; an integer seed gives a private ``torch.Generator`` reseeded
at each call, so a seeded initializer returns the same values every time,
as Keras 3's do. The numbers differ from Keras's own: the generators do.
"""

import math

import torch

from torchkeras.initializers.initializer import Initializer
from torchkeras.initializers.initializer import resolve_dtype
from torchkeras.initializers.initializer import standardize_shape
from torchkeras.utils.registry import keras_export

# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it
# makes the truncated draw's stddev the one asked for (Keras's constant).
_TRUNCATED_STDDEV = 0.87962566103423978


def compute_fans(shape):
    """Returns ``(fan_in, fan_out)`` for a weight of Keras layout ``shape``.

    Rank 0: ``(1, 1)``; rank 1: ``(n, n)``; rank 2: ``(in, out)``; higher
    ranks are kernels ``(..., in, out)`` whose leading dims form the
    receptive field.

    Examples:
        >>> compute_fans((3, 3, 16, 32))
        (144, 288)
    """
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    receptive_field_size = math.prod(shape[:-2])
    return (
        int(shape[-2] * receptive_field_size),
        int(shape[-1] * receptive_field_size),
    )


def _sample(kind, shape, dtype, seed, loc, scale):
    """Draws ``shape`` values of a distribution as a CPU tensor of ``dtype``.

    ``kind`` is ``"normal"`` (mean ``loc``, stddev ``scale``),
    ``"truncated_normal"`` (the same, cut at two stddevs) or ``"uniform"``
    (in ``[loc, scale)``). Half types are drawn in float32 and cast.
    """
    work = torch.float64 if dtype == torch.float64 else torch.float32
    out = torch.empty(shape, dtype=work)
    generator = None
    if seed is not None:
        generator = torch.Generator(device="cpu")
        generator.manual_seed(seed)
    if kind == "uniform":
        out.uniform_(loc, scale, generator=generator)
    elif kind == "normal" or scale == 0:
        out.normal_(loc, scale, generator=generator)
    else:
        _truncated_normal_(out, loc, scale, generator)
    return out.to(dtype)


def _truncated_normal_(out, loc, scale, generator):
    """Fills `out` with normal values, redrawing those beyond two stddevs.

    Rejection gives the truncated distribution exactly, as TensorFlow's
    sampler does; it redraws about 4.6 % of the values per round and costs
    a fraction of ``torch.nn.init.trunc_normal_``'s inverse-CDF transform
    (``erfinv``: ~10x slower on a convolution kernel; building NASNet
    spent most of its time there).
    """
    flat = out.view(-1)
    flat.normal_(generator=generator)
    index = (flat.abs() > 2.0).nonzero().squeeze(1)
    while index.numel():
        redrawn = torch.empty(index.numel(), dtype=flat.dtype).normal_(
            generator=generator)
        flat[index] = redrawn
        # Only the positions still outside are looked at again (a scan of
        # the whole tensor per round cost more than the draws).
        index = index[redrawn.abs() > 2.0]
    flat.mul_(scale).add_(loc)


class RandomInitializer(Initializer):
    """Base of the random initializers: validates and stores ``seed``."""

    def __init__(self, seed=None):
        if seed is not None and (
            isinstance(seed, bool) or not isinstance(seed, int)
        ):
            raise ValueError(
                "The `seed` argument should be an integer or None. "
                f"Received: seed={seed!r}"
            )
        self.seed = seed

    def get_config(self):
        return {"seed": self.seed}


@keras_export(
    "keras.initializers.RandomNormal",
    "keras.initializers.random_normal",
)
class RandomNormal(RandomInitializer):
    """Initializer drawing from a normal distribution.

    Args:
        mean: Mean of the values.
        stddev: Standard deviation of the values.
        seed: An integer (same values at every call) or ``None`` (draws
            from torch's global generator).

    Examples:
        >>> RandomNormal(stddev=1.0, seed=1)((2, 2)).shape
        torch.Size([2, 2])
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self, float_only=True)
        return _sample(
            "normal", standardize_shape(shape), dtype, self.seed,
            self.mean, self.stddev,
        )

    def get_config(self):
        return {**super().get_config(), "mean": self.mean,
                "stddev": self.stddev}


@keras_export(
    "keras.initializers.TruncatedNormal",
    "keras.initializers.truncated_normal",
)
class TruncatedNormal(RandomInitializer):
    """Initializer drawing from a normal distribution cut at two stddevs.

    Values more than two standard deviations from the mean are redrawn (so
    the result's stddev is about ``0.88 * stddev``).

    Args:
        mean: Mean of the values.
        stddev: Standard deviation of the normal before truncation.
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> bool(TruncatedNormal(stddev=1.0)((1000,)).abs().max() <= 2.0)
        True
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self, float_only=True)
        return _sample(
            "truncated_normal", standardize_shape(shape), dtype, self.seed,
            self.mean, self.stddev,
        )

    def get_config(self):
        return {**super().get_config(), "mean": self.mean,
                "stddev": self.stddev}


@keras_export(
    "keras.initializers.RandomUniform",
    "keras.initializers.random_uniform",
)
class RandomUniform(RandomInitializer):
    """Initializer drawing from a uniform distribution in
    ``[minval, maxval)``.

    Args:
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive).
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> bool(RandomUniform(0.0, 1.0)((100,)).min() >= 0.0)
        True
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self, float_only=True)
        return _sample(
            "uniform", standardize_shape(shape), dtype, self.seed,
            self.minval, self.maxval,
        )

    def get_config(self):
        return {**super().get_config(), "minval": self.minval,
                "maxval": self.maxval}


@keras_export(
    "keras.initializers.VarianceScaling",
    "keras.initializers.variance_scaling",
)
class VarianceScaling(RandomInitializer):
    """Initializer whose scale adapts to the fans of the weight shape.

    With ``n`` the fan chosen by ``mode`` (``fan_avg``: their mean), normal
    distributions get ``stddev = sqrt(scale / n)`` (after truncation for
    ``"truncated_normal"``), and ``"uniform"`` draws in ``[-limit, limit]``
    with ``limit = sqrt(3 * scale / n)``.

    Args:
        scale: Scaling factor (positive float).
        mode: One of ``"fan_in"``, ``"fan_out"``, ``"fan_avg"``.
        distribution: One of ``"truncated_normal"`` (``"normal"`` is an
            alias), ``"untruncated_normal"``, ``"uniform"``.
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> init = VarianceScaling(scale=0.1, mode="fan_in",
        ...                        distribution="uniform")
        >>> init((2, 2)).shape
        torch.Size([2, 2])
    """

    def __init__(self, scale=1.0, mode="fan_in",
                 distribution="truncated_normal", seed=None):
        if not scale > 0.0:
            raise ValueError(
                "Argument `scale` must be a positive float. "
                f"Received: scale={scale}"
            )
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(
                f"Invalid `mode` argument: expected one of {modes}. "
                f"Received: mode={mode!r}"
            )
        distribution = str(distribution).lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = ("uniform", "truncated_normal", "untruncated_normal")
        if distribution not in distributions:
            raise ValueError(
                "Invalid `distribution` argument: expected one of "
                f"{distributions}. Received: distribution={distribution!r}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self, float_only=True)
        shape = standardize_shape(shape)
        fan_in, fan_out = compute_fans(shape)
        fan = {"fan_in": fan_in, "fan_out": fan_out,
               "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return _sample("truncated_normal", shape, dtype, self.seed,
                           0.0, stddev)
        if self.distribution == "untruncated_normal":
            return _sample("normal", shape, dtype, self.seed,
                           0.0, math.sqrt(scale))
        limit = math.sqrt(3.0 * scale)
        return _sample("uniform", shape, dtype, self.seed, -limit, limit)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale,
                "mode": self.mode, "distribution": self.distribution}


class _FixedVarianceScaling(VarianceScaling):
    """A variance scaling preset whose config holds only the seed."""

    _preset = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None):
        scale, mode, distribution = self._preset
        super().__init__(scale, mode, distribution, seed=seed)

    def get_config(self):
        return {"seed": self.seed}


@keras_export(
    "keras.initializers.GlorotUniform",
    "keras.initializers.glorot_uniform",
)
class GlorotUniform(_FixedVarianceScaling):
    """Glorot (Xavier) uniform: ``limit = sqrt(6 / (fan_in + fan_out))``.

    Args:
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> w = keras.initializers.GlorotUniform(seed=0)((200, 100))
        >>> w.shape
        torch.Size([200, 100])
        >>> bool(w.abs().max() <= (6 / 300) ** 0.5)
        True
    """

    _preset = (1.0, "fan_avg", "uniform")


@keras_export(
    "keras.initializers.GlorotNormal",
    "keras.initializers.glorot_normal",
)
class GlorotNormal(_FixedVarianceScaling):
    """Glorot (Xavier) normal: truncated normal with
    ``stddev = sqrt(2 / (fan_in + fan_out))``.

    Args:
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> w = keras.initializers.GlorotNormal(seed=0)((200, 100))
        >>> w.shape
        torch.Size([200, 100])
        >>> round(float(w.std()), 2)
        0.08
    """

    _preset = (1.0, "fan_avg", "truncated_normal")


@keras_export("keras.initializers.HeUniform", "keras.initializers.he_uniform")
class HeUniform(_FixedVarianceScaling):
    """He uniform: ``limit = sqrt(6 / fan_in)``.

    Args:
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> w = keras.initializers.HeUniform(seed=0)((200, 100))
        >>> w.shape
        torch.Size([200, 100])
        >>> bool(w.abs().max() <= (6 / 200) ** 0.5)
        True
    """

    _preset = (2.0, "fan_in", "uniform")


@keras_export("keras.initializers.HeNormal", "keras.initializers.he_normal")
class HeNormal(_FixedVarianceScaling):
    """He normal: truncated normal with ``stddev = sqrt(2 / fan_in)``.

    Args:
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> w = keras.initializers.HeNormal(seed=0)((200, 100))
        >>> w.shape
        torch.Size([200, 100])
        >>> round(float(w.std()), 2)
        0.1
    """

    _preset = (2.0, "fan_in", "truncated_normal")


@keras_export(
    "keras.initializers.LecunUniform",
    "keras.initializers.lecun_uniform",
)
class LecunUniform(_FixedVarianceScaling):
    """LeCun uniform: ``limit = sqrt(3 / fan_in)``.

    Args:
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> w = keras.initializers.LecunUniform(seed=0)((200, 100))
        >>> w.shape
        torch.Size([200, 100])
        >>> bool(w.abs().max() <= (3 / 200) ** 0.5)
        True
    """

    _preset = (1.0, "fan_in", "uniform")


@keras_export(
    "keras.initializers.LecunNormal",
    "keras.initializers.lecun_normal",
)
class LecunNormal(_FixedVarianceScaling):
    """LeCun normal: truncated normal with ``stddev = sqrt(1 / fan_in)``.

    Args:
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> w = keras.initializers.LecunNormal(seed=0)((200, 100))
        >>> w.shape
        torch.Size([200, 100])
        >>> round(float(w.std()), 2)
        0.07
    """

    _preset = (1.0, "fan_in", "truncated_normal")


@keras_export("keras.initializers.Orthogonal", "keras.initializers.orthogonal")
class Orthogonal(RandomInitializer):
    """Initializer generating an orthogonal matrix (times ``gain``).

    A shape of rank > 2 is flattened to ``(prod(shape[:-1]), shape[-1])``,
    filled, then reshaped. Fewer rows than columns gives orthonormal rows,
    otherwise orthonormal columns. Built from the QR decomposition of a
    normal draw, with ``R``'s diagonal signs folded into ``Q``.

    Args:
        gain: Multiplicative factor applied to the orthogonal matrix.
        seed: An integer (same values at every call) or ``None``.

    Examples:
        >>> q = Orthogonal(seed=0)((4, 4))
        >>> torch.allclose(q @ q.T, torch.eye(4), atol=1e-5)
        True
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = resolve_dtype(dtype, self, float_only=True)
        shape = standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. "
                f"Received: shape={shape} of rank {len(shape)}."
            )
        num_rows = math.prod(shape[:-1])
        num_cols = shape[-1]
        flat_shape = (max(num_rows, num_cols), min(num_rows, num_cols))
        work = torch.float64 if dtype == torch.float64 else torch.float32
        a = _sample("normal", flat_shape, work, self.seed, 0.0, 1.0)
        q, r = torch.linalg.qr(a)
        q = q * torch.sign(torch.diagonal(r))
        if num_rows < num_cols:
            q = q.T
        return (self.gain * q.reshape(shape)).to(dtype)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
