"""BaseUpSampling: repeats (or interpolates) the rows of each spatial axis.

The shared part of UpSampling1D/2D/3D. ``"nearest"`` repeats each row
``size`` times with one broadcast-and-reshape copy in the Keras layout
(exact for every dtype); ``"bilinear"`` (2-D) runs torch's fused
``F.interpolate`` with ``align_corners=False`` on a zero-copy channels-first
view, which is TF's half-pixel bilinear resize.
"""

import torch.nn.functional as F

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer

_INTERPOLATIONS = ("nearest", "bilinear")


class BaseUpSampling(Layer):
    """Abstract upsampling layer over ``rank`` spatial axes.

    Args:
        rank: the number of spatial axes.
        size: int or tuple of ``rank`` ints, the upsampling factors.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        interpolation: ``"nearest"`` or (rank 2) ``"bilinear"``.
    """

    def __init__(self, rank, size, data_format=None, interpolation="nearest",
                 **kwargs):
        super().__init__(**kwargs)
        self._rank = rank
        self.size = conv_utils.standardize_tuple(size, rank, "size")
        self.data_format = conv_utils.standardize_data_format(data_format)
        allowed = _INTERPOLATIONS if rank == 2 else ("nearest",)
        if interpolation not in allowed:
            raise ValueError(
                f"`interpolation` argument should be one of: {allowed}. "
                f"Received: interpolation={interpolation}"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=rank + 2)
        self.built = True

    def call(self, inputs):
        if self.interpolation == "bilinear":
            x = inputs.movedim(-1, 1) if (
                self.data_format == "channels_last") else inputs
            y = F.interpolate(x, scale_factor=self.size, mode="bilinear",
                              align_corners=False)
            return y.movedim(1, -1) if (
                self.data_format == "channels_last") else y
        first = 1 if self.data_format == "channels_last" else 2
        axes = tuple(range(first, first + self._rank))
        return _repeat_rows(inputs, axes, self.size)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        spatial = [None if n is None else n * f for n, f in zip(
            conv_utils.spatial_shape(input_shape, self.data_format),
            self.size)]
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        return conv_utils.with_spatial(input_shape, spatial, channels,
                                       self.data_format)


def _repeat_rows(x, axes, factors):
    """Repeats every index of ``axes`` ``factors`` times (one copy)."""
    view, expanded, out = [], [], []
    factor_of = dict(zip(axes, factors))
    for axis, n in enumerate(x.shape):
        f = factor_of.get(axis)
        if f is None:
            view.append(n)
            expanded.append(n)
            out.append(n)
        else:
            view += [n, 1]
            expanded += [n, f]
            out.append(n * f)
    return x.reshape(view).expand(expanded).reshape(out)
