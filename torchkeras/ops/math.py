"""Mathematical operations of ``torchkeras.ops`` (Keras 3 ``ops/math.py``).

Segment reductions, ``top_k``/``in_top_k``, ``logsumexp``, the special
functions (``erf``, ``erfinv``, ``rsqrt``), and the signal ops (``fft``,
``rfft``, ``stft``, ``istft``, ``extract_sequences``). As in Keras, complex
values cross the API as ``(real, imag)`` pairs of real tensors. Keras 3
exports these at the top of ``keras.ops``; it has no ``keras.ops.math``
namespace, so this module is the implementation home only.
"""

import builtins

import torch
import torch.nn.functional as F

from torchkeras.backend.config import floatx
from torchkeras.backend.config import to_torch_dtype
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.dispatch import keras_op


def _float(x):
    x = convert_to_tensor(x)
    if not (x.is_floating_point() or x.is_complex()):
        x = x.to(to_torch_dtype(floatx()))
    return x


# --------------------------------------------------------------------------
# Segment reductions.


def _segment(data, segment_ids, num_segments, reduce, empty):
    """Reduces the rows of ``data`` by ``segment_ids``; ids outside
    ``[0, num_segments)`` are dropped; empty segments hold ``empty``."""
    data = convert_to_tensor(data)
    ids = convert_to_tensor(segment_ids, device=data.device).long()
    if num_segments is None:
        # Data-dependent size, as in Keras: syncs once.
        num_segments = int(ids.max()) + 1 if ids.numel() else 0
    num_segments = int(num_segments)
    ids = torch.where((ids >= 0) & (ids < num_segments), ids, num_segments)
    shape = (num_segments + 1,) + tuple(data.shape[1:])
    index = ids.reshape((-1,) + (1,) * (data.ndim - 1)).expand(data.shape)
    out = torch.full(shape, empty, dtype=data.dtype, device=data.device)
    out = out.scatter_reduce(0, index, data, reduce, include_self=True)
    return out[:-1]


@keras_op()
def segment_sum(data, segment_ids, num_segments=None, sorted=False):
    """Sums the rows of `data` that share a segment id.

    Row `i` of `data` (its slice along the first axis) goes to segment
    `segment_ids[i]`; ids outside `[0, num_segments)` are dropped and empty
    segments hold 0.

    Args:
        data: Input tensor.
        segment_ids: 1D integer tensor, one id per row of `data`.
        num_segments: Number of segments; `None` uses `max(segment_ids) + 1`
            (which reads the ids, a device sync).
        sorted: Whether `segment_ids` is sorted; a hint accepted for Keras
            compatibility (the result is the same either way).

    Returns:
        A tensor `(num_segments, *data.shape[1:])`.

    Examples:
        >>> data = keras.ops.convert_to_tensor([1.0, 5.0, 3.0, 4.0])
        >>> keras.ops.segment_sum(data, [0, 0, 1, 1])
        tensor([6., 7.])
    """
    return _segment(data, segment_ids, num_segments, "sum", 0)


def _lowest(dtype):
    if dtype.is_floating_point:
        return -float("inf")
    return torch.iinfo(dtype).min


def _highest(dtype):
    if dtype.is_floating_point:
        return float("inf")
    return torch.iinfo(dtype).max


@keras_op()
def segment_max(data, segment_ids, num_segments=None, sorted=False):
    """Maximum of the rows of `data` that share a segment id.

    Row `i` of `data` goes to segment `segment_ids[i]`; ids outside
    `[0, num_segments)` are dropped and empty segments hold the lowest value
    of the dtype (`-inf` for floats).

    Args:
        data: Input tensor.
        segment_ids: 1D integer tensor, one id per row of `data`.
        num_segments: Number of segments; `None` uses `max(segment_ids) + 1`.
        sorted: Whether `segment_ids` is sorted; a hint accepted for Keras
            compatibility (the result is the same either way).

    Returns:
        A tensor `(num_segments, *data.shape[1:])`.

    Examples:
        >>> data = keras.ops.convert_to_tensor([1.0, 5.0, 3.0, 4.0])
        >>> keras.ops.segment_max(data, [0, 0, 1, 1])
        tensor([5., 4.])
    """
    data = convert_to_tensor(data)
    return _segment(data, segment_ids, num_segments, "amax",
                    _lowest(data.dtype))


@keras_op()
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Minimum of the rows of `data` that share a segment id.

    Row `i` of `data` goes to segment `segment_ids[i]`; ids outside
    `[0, num_segments)` are dropped and empty segments hold the highest value
    of the dtype (`inf` for floats).

    Args:
        data: Input tensor.
        segment_ids: 1D integer tensor, one id per row of `data`.
        num_segments: Number of segments; `None` uses `max(segment_ids) + 1`.
        sorted: Whether `segment_ids` is sorted; a hint accepted for Keras
            compatibility (the result is the same either way).

    Returns:
        A tensor `(num_segments, *data.shape[1:])`.

    Examples:
        >>> data = keras.ops.convert_to_tensor([1.0, 5.0, 3.0, 4.0])
        >>> keras.ops.segment_min(data, [0, 0, 1, 1])
        tensor([1., 3.])
    """
    data = convert_to_tensor(data)
    return _segment(data, segment_ids, num_segments, "amin",
                    _highest(data.dtype))


@keras_op()
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of `data` that share a segment id.

    Row `i` of `data` goes to segment `segment_ids[i]`; ids outside
    `[0, num_segments)` are dropped and empty segments hold 1.

    Args:
        data: Input tensor.
        segment_ids: 1D integer tensor, one id per row of `data`.
        num_segments: Number of segments; `None` uses `max(segment_ids) + 1`.
        sorted: Whether `segment_ids` is sorted; a hint accepted for Keras
            compatibility (the result is the same either way).

    Returns:
        A tensor `(num_segments, *data.shape[1:])`.

    Examples:
        >>> data = keras.ops.convert_to_tensor([1.0, 5.0, 3.0, 4.0])
        >>> keras.ops.segment_prod(data, [0, 0, 1, 1])
        tensor([ 5., 12.])
    """
    return _segment(data, segment_ids, num_segments, "prod", 1)


# --------------------------------------------------------------------------
# Ranking and reductions.


@keras_op(tf=("math.top_k", ("input", "k", "sorted")))
def top_k(x, k, sorted=True):
    """The `k` largest entries along the last axis of `x`, and their indices.

    Args:
        x: Input tensor.
        k: Number of entries to return.
        sorted: Whether to return them in descending order.

    Returns:
        A tuple `(values, indices)`, each of shape `(..., k)`; the indices
        are int32.

    Examples:
        >>> keras.ops.top_k([1.0, 5.0, 3.0, 4.0], k=2)
        (tensor([5., 4.]), tensor([1, 3], dtype=torch.int32))
    """
    x = convert_to_tensor(x)
    values, indices = torch.topk(x, k, dim=-1, largest=True, sorted=sorted)
    return values, indices.int()


@keras_op(tf=("math.in_top_k", ("targets", "predictions", "k")))
def in_top_k(targets, predictions, k):
    """Whether each target's prediction is among the `k` largest of its row.

    Ties count in the target's favour; a NaN prediction never counts.

    Args:
        targets: 1D integer tensor of class indices `(batch,)`.
        predictions: Float tensor `(batch, num_classes)`.
        k: Number of top entries to consider.

    Returns:
        A boolean tensor `(batch,)`.

    Examples:
        >>> keras.ops.in_top_k([1, 2], [[0.1, 0.8, 0.1], [0.6, 0.3, 0.1]], k=1)
        tensor([ True, False])
    """
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets, device=predictions.device).long()
    at_label = torch.take_along_dim(predictions, targets[..., None], dim=-1)
    at_label = torch.where(torch.isnan(at_label), -float("inf"), at_label)
    rank = 1 + torch.sum(predictions > at_label, dim=-1)
    return rank <= k


@keras_op(tf=("math.reduce_logsumexp", ("input_tensor", "axis",
                                         "keepdims")))
def logsumexp(x, axis=None, keepdims=False):
    """`log(sum(exp(x)))` along `axis`, computed without overflow.

    Args:
        x: Input tensor.
        axis: Axis or tuple of axes to reduce; `None` reduces all of them.
        keepdims: Whether to keep the reduced axes with size 1.

    Returns:
        A float tensor.

    Examples:
        >>> keras.ops.logsumexp([0.0, 0.0])
        tensor(0.6931)
    """
    x = _float(x)
    if axis is None:
        out = torch.logsumexp(x.reshape(-1), dim=0)
        return out.reshape((1,) * x.ndim) if keepdims else out
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


@keras_op(tf=("linalg.logdet", ("matrix",)))
def logdet(x):
    """Log-determinant of Hermitian positive-definite matrices.

    Args:
        x: Tensor `(..., n, n)`.

    Returns:
        A float tensor `(...)`.

    Examples:
        >>> keras.ops.logdet([[2.0, 0.0], [0.0, 3.0]])
        tensor(1.7918)
    """
    return torch.logdet(_float(x))


@keras_op()
def cdist(x, y):
    """Euclidean distances between the rows of `x` and the rows of `y`.

    Args:
        x: Tensor `(..., m, d)`.
        y: Tensor `(..., n, d)`.

    Returns:
        A tensor `(..., m, n)` of pairwise distances.

    Examples:
        >>> keras.ops.cdist([[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0]])
        tensor([[0.],
                [5.]])
    """
    x = _float(x)
    y = _float(y).to(x.dtype)
    return torch.cdist(x, y)


# --------------------------------------------------------------------------
# Element-wise special functions.


@keras_op(tf=("math.rsqrt", ("x",)))
def rsqrt(x):
    """Reciprocal square root `1 / sqrt(x)` element-wise.

    Args:
        x: Input tensor (integers are computed in `floatx`).

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.rsqrt([1.0, 4.0, 16.0])
        tensor([1.0000, 0.5000, 0.2500])
    """
    return torch.rsqrt(_float(x))


@keras_op(tf=("math.erf", ("x",)))
def erf(x):
    """Gauss error function element-wise.

    Args:
        x: Input tensor (integers are computed in `floatx`).

    Returns:
        A float tensor of the shape of `x`, with values in `[-1, 1]`.

    Examples:
        >>> keras.ops.erf([0.0, 1.0])
        tensor([0.0000, 0.8427])
    """
    return torch.erf(_float(x))


@keras_op(tf=("math.erfc", ("x",)))
def erfc(x):
    """Complementary error function `1 - erf(x)` element-wise.

    Args:
        x: Input tensor (integers are computed in `floatx`).

    Returns:
        A float tensor of the shape of `x`, with values in `[0, 2]`.

    Examples:
        >>> keras.ops.erfc([0.0, 1.0])
        tensor([1.0000, 0.1573])
    """
    return torch.erfc(_float(x))


@keras_op(tf=("math.erfinv", ("x",)))
def erfinv(x):
    """Inverse of the error function element-wise.

    Args:
        x: Input tensor with values in `[-1, 1]`.

    Returns:
        A float tensor of the shape of `x`.

    Examples:
        >>> keras.ops.erfinv([0.0, 0.5])
        tensor([0.0000, 0.4769])
    """
    return torch.erfinv(_float(x))


@keras_op()
def view_as_complex(x):
    """Reads a real tensor whose last axis has size 2 as complex numbers.

    `x[..., 0]` is the real part and `x[..., 1]` the imaginary part.

    Args:
        x: Real tensor `(..., 2)`.

    Returns:
        A complex tensor `(...)`.

    Examples:
        >>> keras.ops.view_as_complex([[1.0, 2.0], [3.0, -1.0]])
        tensor([1.+2.j, 3.-1.j])
    """
    x = _float(x)
    return torch.view_as_complex(x.contiguous())


@keras_op()
def view_as_real(x):
    """Splits a complex tensor into a real tensor with a last axis of size 2.

    The inverse of `view_as_complex`.

    Args:
        x: Complex tensor.

    Returns:
        A real tensor `(*x.shape, 2)`: real parts, then imaginary parts.

    Examples:
        >>> z = np.array([1 + 2j, 3 - 1j], dtype="complex64")
        >>> keras.ops.view_as_real(z)
        tensor([[ 1.,  2.],
                [ 3., -1.]])
    """
    return torch.view_as_real(convert_to_tensor(x))


# --------------------------------------------------------------------------
# Signal processing.


@keras_op(tf=("signal.frame", ("signal", "frame_length", "frame_step")))
def extract_sequences(x, sequence_length, sequence_stride):
    """Splits the last axis of `x` into frames, possibly overlapping.

    Frames of `sequence_length` samples start every `sequence_stride` samples.

    Args:
        x: Input tensor `(..., length)`.
        sequence_length: Number of samples per frame.
        sequence_stride: Step between the starts of consecutive frames.

    Returns:
        A tensor `(..., num_sequences, sequence_length)`.

    Examples:
        >>> keras.ops.extract_sequences(keras.ops.arange(6), 3, 2)
        tensor([[0, 1, 2],
                [2, 3, 4]], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    return x.unfold(-1, sequence_length, sequence_stride)


def _complex(x, name):
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(
            f"`{name}` expects a tuple `(real, imag)` of two real tensors. "
            f"Received: x={x!r}")
    real, imag = _float(x[0]), _float(x[1])
    if real.shape != imag.shape:
        raise ValueError(
            f"`{name}`: the real and imaginary parts must have the same "
            f"shape. Received: real.shape={tuple(real.shape)}, "
            f"imag.shape={tuple(imag.shape)}")
    return torch.complex(real, imag.to(real.dtype))


def _pair(z):
    return z.real, z.imag


@keras_op()
def fft(x):
    """Fast Fourier transform over the last axis of a complex signal.

    As in Keras, the complex signal is passed and returned as a pair of real
    tensors.

    Args:
        x: A tuple `(real, imag)` of real tensors of the same shape.

    Returns:
        A tuple `(real, imag)` of the transform.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 2.0, 3.0, 4.0])
        >>> keras.ops.fft((x, keras.ops.zeros(4)))
        (tensor([10., -2., -2., -2.]), tensor([ 0.,  2.,  0., -2.]))
    """
    return _pair(torch.fft.fft(_complex(x, "fft")))


@keras_op()
def fft2(x):
    """2D fast Fourier transform over the last two axes of a complex signal.

    Args:
        x: A tuple `(real, imag)` of real tensors of the same shape.

    Returns:
        A tuple `(real, imag)` of the transform.

    Examples:
        >>> x = keras.ops.convert_to_tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> keras.ops.fft2((x, keras.ops.zeros((2, 2))))
        (tensor([[10., -2.],
                [-4.,  0.]]), tensor([[0., 0.],
                [0., 0.]]))
    """
    return _pair(torch.fft.fft2(_complex(x, "fft2")))


@keras_op()
def ifft2(x):
    """Inverse 2D fast Fourier transform over the last two axes.

    Args:
        x: A tuple `(real, imag)` of real tensors of the same shape.

    Returns:
        A tuple `(real, imag)` of the inverse transform.

    Examples:
        >>> real = keras.ops.convert_to_tensor([[10.0, -2.0], [-4.0, 0.0]])
        >>> keras.ops.ifft2((real, keras.ops.zeros((2, 2))))
        (tensor([[1., 2.],
                [3., 4.]]), tensor([[0., 0.],
                [0., 0.]]))
    """
    return _pair(torch.fft.ifft2(_complex(x, "ifft2")))


@keras_op()
def rfft(x, fft_length=None):
    """Fast Fourier transform of a real signal over its last axis.

    Only the `fft_length // 2 + 1` non-redundant frequency bins are returned.

    Args:
        x: Real input tensor.
        fft_length: Length of the transform; the signal is cropped or padded
            with zeros to it. `None` uses the length of the last axis.

    Returns:
        A tuple `(real, imag)` of tensors `(..., fft_length // 2 + 1)`.

    Examples:
        >>> keras.ops.rfft(keras.ops.convert_to_tensor([1.0, 2.0, 3.0, 4.0]))
        (tensor([10., -2., -2.]), tensor([0., 2., 0.]))
    """
    return _pair(torch.fft.rfft(_float(x), n=fft_length))


@keras_op()
def irfft(x, fft_length=None):
    """Inverse of `rfft`: a real signal from its non-redundant frequency bins.

    Args:
        x: A tuple `(real, imag)` of real tensors `(..., bins)`.
        fft_length: Length of the output signal; `None` means
            `2 * (bins - 1)`.

    Returns:
        A real tensor `(..., fft_length)`.

    Examples:
        >>> real = keras.ops.convert_to_tensor([10.0, -2.0, -2.0])
        >>> imag = keras.ops.convert_to_tensor([0.0, 2.0, 0.0])
        >>> keras.ops.irfft((real, imag))
        tensor([1., 2., 3., 4.])
    """
    return torch.fft.irfft(_complex(x, "irfft"), n=fft_length)


def _window(window, sequence_length, dtype, device):
    if window is None:
        return None
    if isinstance(window, str):
        makers = {"hann": torch.hann_window, "hamming": torch.hamming_window}
        if window not in makers:
            raise ValueError(
                "A string `window` must be 'hann' or 'hamming'. Received: "
                f"window={window!r}")
        return makers[window](sequence_length, periodic=True, dtype=dtype,
                              device=device)
    win = convert_to_tensor(window, dtype, device)
    if win.ndim != 1 or win.shape[0] != sequence_length:
        raise ValueError(
            "`window` must have shape (sequence_length,). Received: "
            f"window.shape={tuple(win.shape)}, "
            f"sequence_length={sequence_length}")
    return win


@keras_op()
def stft(x, sequence_length, sequence_stride, fft_length, window="hann",
         center=True):
    """Short-time Fourier transform over the last axis of a real signal.

    Frames of `sequence_length` samples every `sequence_stride` samples are
    windowed, padded to `fft_length` and transformed.

    Args:
        x: Real input tensor `(..., length)`.
        sequence_length: Number of samples per frame (the window length).
        sequence_stride: Step between the starts of consecutive frames.
        fft_length: Length of each transform, at least `sequence_length`.
        window: `"hann"`, `"hamming"`, a 1D tensor of `sequence_length`
            weights, or `None` for no window.
        center: Whether to pad the signal by `fft_length // 2` on both sides
            (reflecting it), so frame `t` is centred at `t * sequence_stride`.

    Returns:
        A tuple `(real, imag)` of tensors `(..., num_sequences,
        fft_length // 2 + 1)`.

    Examples:
        >>> real, imag = keras.ops.stft(keras.ops.ones((16,)), 8, 4, 8)
        >>> keras.ops.shape(real)
        (5, 5)
    """
    x = _float(x)
    if fft_length < sequence_length:
        raise ValueError(
            "`fft_length` must be at least `sequence_length`. Received: "
            f"sequence_length={sequence_length}, fft_length={fft_length}")
    win = _window(window, sequence_length, x.dtype, x.device)
    if win is None:
        win = torch.ones(sequence_length, dtype=x.dtype, device=x.device)
    batch_shape = tuple(x.shape[:-1])
    z = torch.stft(x.reshape(-1, x.shape[-1]), n_fft=fft_length,
                   hop_length=sequence_stride, win_length=sequence_length,
                   window=win, center=center, return_complex=True)
    z = z.reshape(batch_shape + tuple(z.shape[-2:])).transpose(-2, -1)
    return _pair(z)


def _overlap_add(frames, stride):
    """Sums ``(..., n, frame)`` frames placed every ``stride`` samples."""
    *batch, n, frame = frames.shape
    length = (n - 1) * stride + frame
    flat = frames.reshape(-1, n, frame).transpose(1, 2)
    out = F.fold(flat, (1, length), (1, frame), stride=(1, stride))
    return out.reshape(*batch, length)


@keras_op()
def istft(x, sequence_length, sequence_stride, fft_length, length=None,
          window="hann", center=True):
    """Inverse short-time Fourier transform: a real signal from `stft` output.

    The inverse-transformed frames are windowed, overlap-added and divided
    by the overlap-added squared window.

    Args:
        x: A tuple `(real, imag)` of tensors `(..., num_sequences,
            fft_length // 2 + 1)`.
        sequence_length: Number of samples per frame (the window length).
        sequence_stride: Step between the starts of consecutive frames.
        fft_length: Length of each transform.
        length: Length of the output signal; `None` keeps all the samples
            the frames cover.
        window: `"hann"`, `"hamming"`, a 1D tensor of `sequence_length`
            weights, or `None` for no window (the one used by `stft`).
        center: Whether `stft` was called with `center=True` (the padding is
            then removed).

    Returns:
        A real tensor `(..., length)`.

    Examples:
        >>> x = keras.ops.convert_to_tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0,
        ...                                  7.0, 8.0])
        >>> spectrum = keras.ops.stft(x, 4, 2, 4)
        >>> y = keras.ops.istft(spectrum, 4, 2, 4)
        >>> keras.ops.round(y * 1000) / 1000
        tensor([1., 2., 3., 4., 5., 6., 7., 8.])
    """
    z = _complex(x, "istft")
    dtype = z.real.dtype
    win = _window(window, sequence_length, dtype, z.device)
    scale = 1.0
    if win is None:
        win = torch.ones(sequence_length, dtype=dtype, device=z.device)
        scale = sequence_length / sequence_stride
    left = (fft_length - sequence_length) // 2
    win = F.pad(win, (left, fft_length - sequence_length - left))
    frames = torch.fft.irfft(z, n=fft_length) * win
    num = frames.shape[-2]
    signal = _overlap_add(frames, sequence_stride)
    envelope = _overlap_add(
        torch.square(win).expand(num, fft_length), sequence_stride)
    signal = signal / torch.where(envelope > 1e-10, envelope, 1.0) * scale
    start = fft_length // 2 if center else 0
    if length is not None:
        end = start + length
    elif center:
        end = signal.shape[-1] - fft_length // 2
    else:
        end = fft_length + sequence_stride * (num - 1)
    end = builtins.min(end, signal.shape[-1])
    return signal[..., start:end]
