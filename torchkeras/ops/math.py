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
    """Sum of the rows of ``data`` sharing each segment id."""
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
    """Max of the rows of ``data`` per segment (``-inf`` when empty)."""
    data = convert_to_tensor(data)
    return _segment(data, segment_ids, num_segments, "amax",
                    _lowest(data.dtype))


@keras_op()
def segment_min(data, segment_ids, num_segments=None, sorted=False):
    """Min of the rows of ``data`` per segment (``inf`` when empty)."""
    data = convert_to_tensor(data)
    return _segment(data, segment_ids, num_segments, "amin",
                    _highest(data.dtype))


@keras_op()
def segment_prod(data, segment_ids, num_segments=None, sorted=False):
    """Product of the rows of ``data`` per segment (1 when empty)."""
    return _segment(data, segment_ids, num_segments, "prod", 1)


# --------------------------------------------------------------------------
# Ranking and reductions.


@keras_op(tf=("math.top_k", ("input", "k", "sorted")))
def top_k(x, k, sorted=True):
    """``(values, indices)`` of the ``k`` largest entries of the last
    axis (indices int32)."""
    x = convert_to_tensor(x)
    values, indices = torch.topk(x, k, dim=-1, largest=True, sorted=sorted)
    return values, indices.int()


@keras_op(tf=("math.in_top_k", ("targets", "predictions", "k")))
def in_top_k(targets, predictions, k):
    """Whether each target's prediction ranks among the ``k`` largest
    (ties count in its favour; a NaN prediction never does)."""
    predictions = convert_to_tensor(predictions)
    targets = convert_to_tensor(targets, device=predictions.device).long()
    at_label = torch.take_along_dim(predictions, targets[..., None], dim=-1)
    at_label = torch.where(torch.isnan(at_label), -float("inf"), at_label)
    rank = 1 + torch.sum(predictions > at_label, dim=-1)
    return rank <= k


@keras_op(tf=("math.reduce_logsumexp", ("input_tensor", "axis",
                                         "keepdims")))
def logsumexp(x, axis=None, keepdims=False):
    x = _float(x)
    if axis is None:
        out = torch.logsumexp(x.reshape(-1), dim=0)
        return out.reshape((1,) * x.ndim) if keepdims else out
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


@keras_op(tf=("linalg.logdet", ("matrix",)))
def logdet(x):
    """Log-determinant of (Hermitian positive-definite) matrices."""
    return torch.logdet(_float(x))


@keras_op()
def cdist(x, y):
    """Euclidean distances between the rows of ``x`` and of ``y``."""
    x = _float(x)
    y = _float(y).to(x.dtype)
    return torch.cdist(x, y)


# --------------------------------------------------------------------------
# Element-wise special functions.


@keras_op(tf=("math.rsqrt", ("x",)))
def rsqrt(x):
    return torch.rsqrt(_float(x))


@keras_op(tf=("math.erf", ("x",)))
def erf(x):
    return torch.erf(_float(x))


@keras_op(tf=("math.erfc", ("x",)))
def erfc(x):
    return torch.erfc(_float(x))


@keras_op(tf=("math.erfinv", ("x",)))
def erfinv(x):
    return torch.erfinv(_float(x))


@keras_op()
def view_as_complex(x):
    """A ``(..., 2)`` real tensor as complex numbers."""
    x = _float(x)
    return torch.view_as_complex(x.contiguous())


@keras_op()
def view_as_real(x):
    """Complex ``x`` as a ``(..., 2)`` real tensor."""
    return torch.view_as_real(convert_to_tensor(x))


# --------------------------------------------------------------------------
# Signal processing.


@keras_op(tf=("signal.frame", ("signal", "frame_length", "frame_step")))
def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` samples every ``sequence_stride``
    along the last axis: ``(..., num_sequences, sequence_length)``."""
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
    """FFT over the last axis of ``(real, imag)``; returns the same."""
    return _pair(torch.fft.fft(_complex(x, "fft")))


@keras_op()
def fft2(x):
    """2D FFT over the last two axes of ``(real, imag)``."""
    return _pair(torch.fft.fft2(_complex(x, "fft2")))


@keras_op()
def ifft2(x):
    """Inverse 2D FFT over the last two axes of ``(real, imag)``."""
    return _pair(torch.fft.ifft2(_complex(x, "ifft2")))


@keras_op()
def rfft(x, fft_length=None):
    """FFT of a real signal over its last axis: ``(real, imag)`` of the
    ``fft_length // 2 + 1`` unique bins."""
    return _pair(torch.fft.rfft(_float(x), n=fft_length))


@keras_op()
def irfft(x, fft_length=None):
    """Inverse of ``rfft``: a real signal of ``fft_length`` samples."""
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
    """Short-time Fourier transform over the last axis: ``(real, imag)``
    of shape ``(..., num_sequences, fft_length // 2 + 1)``."""
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
    """Inverse of ``stft``: windowed frames overlap-added and divided by
    the overlap-added squared window (``scipy.signal.istft``'s rule, as
    Keras computes it)."""
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
