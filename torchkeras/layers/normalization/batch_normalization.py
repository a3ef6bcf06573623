"""BatchNormalization: Keras's batch norm on torch's fused ``F.batch_norm``.

The inputs keep Keras's layout (channels on ``axis``, last by default); the
kernel sees a channels-second *view* of them: ``(N*..., C)`` for the last
axis, ``(pre, C, post)`` otherwise, no copy for contiguous inputs.

Keras updates the moving statistics with the *biased* batch variance
(``moving = moving * momentum + batch * (1 - momentum)``) where torch's
kernel would store the unbiased one. In training the kernel therefore
writes the batch statistics into scratch buffers (momentum 1) and the layer
applies Keras's update itself, rescaling the variance by ``(n - 1) / n``:
one fused kernel, no host synchronization.
"""

import math

import torch
import torch.nn.functional as F

from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.backend import config as backend_config
from torchkeras.layers.input_spec import InputSpec
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export

# tf.keras 2 arguments; the defaults are accepted, other values are not
# supported.
_TF_KERAS_DEFAULTS = {"renorm": False, "renorm_clipping": None,
                      "renorm_momentum": 0.99, "fused": None,
                      "virtual_batch_size": None, "adjustment": None}
_HALF_DTYPES = (torch.float16, torch.bfloat16)


@keras_export("keras.layers.BatchNormalization")
class BatchNormalization(Layer):
    """Layer that normalizes its inputs.

    Batch normalization keeps the mean output close to 0 and the output
    standard deviation close to 1. It works differently in training and
    inference:

    - with ``training=True`` (``fit``) it normalizes with the statistics of
      the current batch, ``gamma * (x - mean(x)) / sqrt(var(x) + epsilon)
      + beta``, and updates ``moving_mean`` and ``moving_variance`` as
      ``moving = moving * momentum + batch_stat * (1 - momentum)`` (the
      batch variance is the biased one);
    - otherwise (``predict``, ``evaluate``, the default) it uses the moving
      statistics.

    Setting ``trainable = False`` freezes the layer *and* runs it in
    inference mode, as Keras does since TF 2.0.

    Args:
        axis: integer, the axis that holds the features (channels), -1 by
            default; use 1 after a ``channels_first`` convolution.
        momentum: momentum of the moving averages.
        epsilon: small float added to the variance.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned ``gamma``.
            moving_variance_initializer: initializers of the weights.
        beta_initializer: Initializer for the `beta` offset weights (default
            `"zeros"`).
        gamma_initializer: Initializer for the `gamma` scale weights (default
            `"ones"`).
        moving_mean_initializer: Initializer for the moving mean (default
            `"zeros"`).
        moving_variance_initializer: Initializer for the moving variance
            (default `"ones"`).
        beta_regularizer: Optional regularizer function applied to the `beta`
            offset weights.
        gamma_regularizer: Optional regularizer function applied to the `gamma`
            scale weights.
        beta_constraint: Optional constraint function applied to the `beta`
            offset weights after each optimizer update.
        gamma_constraint: Optional constraint function applied to the `gamma`
            scale weights after each optimizer update.
        synchronized: accepted for Keras compatibility; statistics are
            computed per process.
        **kwargs: base layer keyword arguments (``name``, ``dtype``).

    Call arguments:
        inputs: input tensor of any rank.
        training: whether to use (and update) the batch statistics.
        mask: optional boolean tensor of the input's shape without the
            feature axis; masked positions are left out of the batch
            statistics.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.BatchNormalization()
        >>> x = torch.tensor([[0.0, 2.0], [2.0, 6.0]])
        >>> y = layer(x, training=True)
        >>> y.mean(0).abs().max() < 1e-6
        tensor(True)
        >>> layer.moving_mean.numpy()  # 0.99 * 0 + 0.01 * batch mean
        array([0.01, 0.04], dtype=float32)
    """

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                 scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, **kwargs):
        legacy = {k: kwargs.pop(k) for k in list(kwargs)
                  if k in _TF_KERAS_DEFAULTS}
        super().__init__(**kwargs)
        _check_tf_keras_arguments(legacy)
        self.axis = _standardize_axis(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.synchronized = synchronized
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(
            moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(
            moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(
                f"Layer '{self.name}': `axis` is out of range for inputs of "
                f"rank {ndim}. Received: axis={self.axis}"
            )
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Layer '{self.name}': axis {self.axis} of the inputs should "
                "have a defined dimension. Received: "
                f"input_shape={tuple(input_shape)}"
            )
        shape = (dim,)
        self.gamma = None
        self.beta = None
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma", shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight(
                name="beta", shape=shape, initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint)
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=shape,
            initializer=self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=shape,
            initializer=self.moving_variance_initializer, trainable=False)
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"Layer '{self.name}': the mask should have one dimension "
                f"less than the inputs. Received: mask.shape="
                f"{tuple(mask.shape)}, inputs.shape={tuple(inputs.shape)}"
            )
        input_dtype = inputs.dtype
        # As Keras: half-precision inputs are normalized in float32.
        x = inputs.float() if input_dtype in _HALF_DTYPES else inputs
        if training and self.trainable:
            outputs = self._training_call(x, mask)
        else:
            outputs = self._normalize(x, self.moving_mean,
                                      self.moving_variance)
        return outputs.to(input_dtype)

    def _training_call(self, x, mask):
        axis = self.axis % x.ndim
        count = math.prod(x.shape) // x.shape[axis]
        if mask is None and count > 1:
            return self._fused_training_call(x, count)
        mean, variance = self._moments(x, mask)
        self._update_moving_stats(mean, variance)
        return self._normalize_differentiable(x, mean, variance)

    def _fused_training_call(self, x, count):
        mean = torch.zeros(x.shape[self.axis], dtype=x.dtype,
                           device=x.device)
        variance = torch.zeros_like(mean)
        view, shape = self._channels_second(x)
        gamma, beta = self._affine(x.dtype)
        # momentum=1: the kernel writes the batch mean and the *unbiased*
        # batch variance into the scratch buffers.
        y = F.batch_norm(view, mean, variance, gamma, beta, training=True,
                         momentum=1.0, eps=self.epsilon)
        self._update_moving_stats(mean, variance * ((count - 1) / count))
        return y if shape is None else y.reshape(shape)

    def _normalize(self, x, mean, variance):
        view, shape = self._channels_second(x)
        gamma, beta = self._affine(x.dtype)
        y = F.batch_norm(view, mean.to(x.dtype), variance.to(x.dtype),
                         gamma, beta, training=False, eps=self.epsilon)
        return y if shape is None else y.reshape(shape)

    def _normalize_differentiable(self, x, mean, variance):
        # torch's kernel does not differentiate through its statistics
        # arguments; batch statistics computed here need the plain maths.
        shape = [1] * x.ndim
        shape[self.axis] = x.shape[self.axis]
        gamma, beta = self._affine(x.dtype)
        inv = torch.rsqrt(variance.reshape(shape) + self.epsilon)
        if gamma is not None:
            inv = inv * gamma.reshape(shape)
        y = (x - mean.reshape(shape)) * inv
        if beta is not None:
            y = y + beta.reshape(shape)
        return y

    def _affine(self, dtype):
        """``gamma`` and ``beta`` in the computation's dtype (or None)."""
        return tuple(None if w is None else w.to(dtype)
                     for w in (self.gamma, self.beta))

    def _channels_second(self, x):
        """A ``(N, C, ...)`` view of ``x`` for torch's kernel, and the
        shape to restore (``None`` when ``x`` already has it)."""
        axis = self.axis % x.ndim
        if axis == 1:
            return x, None
        channels = x.shape[axis]
        if axis == x.ndim - 1:
            return x.reshape(-1, channels), x.shape
        pre = math.prod(x.shape[:axis])
        return x.reshape(pre, channels, -1), x.shape

    def _moments(self, x, mask):
        """Keras's (masked) batch mean and biased variance per channel."""
        axis = self.axis % x.ndim
        dims = [d for d in range(x.ndim) if d != axis]
        if mask is None:
            variance, mean = torch.var_mean(x, dim=dims, correction=0)
            return mean, variance
        weights = mask.to(x.dtype).unsqueeze(-1)
        eps = backend_config.epsilon()
        total = weights.sum(dim=dims, keepdim=True) + eps
        weighted = weights * x
        mean = weighted.sum(dim=dims, keepdim=True) / total
        sq = weights * (weighted - mean) ** 2
        variance = sq.sum(dim=dims, keepdim=True) / total
        return mean.reshape(-1), variance.reshape(-1)

    def _update_moving_stats(self, mean, variance):
        m = self.momentum
        with torch.no_grad():
            self.moving_mean.mul_(m).add_(
                mean.detach().to(self.moving_mean.dtype), alpha=1.0 - m)
            self.moving_variance.mul_(m).add_(
                variance.detach().to(self.moving_variance.dtype),
                alpha=1.0 - m)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(
                self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(
                self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(
                self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
        })
        return config


def _standardize_axis(axis):
    # tf.keras 2 configs store the axis as a one-element list ([3]).
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise ValueError(
                "BatchNormalization supports a single feature axis. "
                f"Received: axis={axis}"
            )
        axis = axis[0]
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(
            "The `axis` argument of BatchNormalization must be an integer. "
            f"Received: axis={axis!r}"
        )
    return axis


def _check_tf_keras_arguments(values):
    for key, value in values.items():
        default = _TF_KERAS_DEFAULTS[key]
        if key in ("renorm_momentum", "renorm_clipping", "fused"):
            continue  # only meaningful with renorm, or a kernel choice
        if value != default:
            raise ValueError(
                f"BatchNormalization does not support `{key}` (a tf.keras 2 "
                f"option). Received: {key}={value}"
            )
