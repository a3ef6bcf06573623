"""Embedding: turns integer indices into dense vectors of fixed size.

The lookup is torch's fused ``F.embedding`` on a weight named ``embeddings``
of shape ``(input_dim, output_dim)`` (the same layout in torch and Keras).

Out-of-range indices raise ``ValueError`` naming the layer, the offending
index and ``input_dim``, on every device, never a device-side assert:

- on the CPU, ``F.embedding`` itself checks the indices and raises
  ``IndexError``; the layer turns it into the ``ValueError`` (the offending
  value is computed only then), so the check costs nothing;
- on CUDA (and other accelerators) an out-of-range index is a device-side
  assert that poisons the CUDA context, so the indices are checked on the
  host before the lookup (one ``aminmax`` and one device-to-host copy).
  This check runs on a layer's first call and whenever the module flag
  ``VALIDATE_INDICES`` is true (the default, for eager calls), unless the
  call context says the data was checked once (``data_checked``): the
  training engine has the model call ``_check_data_once`` on the whole
  input array before ``fit``/``evaluate`` and then runs its steps inside
  ``call_context.data_checked_once()``, so the per-step hot path has no
  host sync.
"""

import contextlib

import numpy as np
import torch
import torch.nn.functional as F

from torchkeras import constraints
from torchkeras import initializers
from torchkeras import regularizers
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.layers.layer import Layer
from torchkeras.utils.registry import keras_export

VALIDATE_INDICES = True


@contextlib.contextmanager
def skip_index_validation():
    """Turns off the accelerator-side index check (after a layer's first
    call) inside the block; for engines that validated their data."""
    global VALIDATE_INDICES
    previous = VALIDATE_INDICES
    VALIDATE_INDICES = False
    try:
        yield
    finally:
        VALIDATE_INDICES = previous


@keras_export("keras.layers.Embedding")
class Embedding(Layer):
    """Turns non-negative integers (indices) into dense vectors.

    ``output[..., :] = embeddings[inputs[...]]``. Only usable on integer
    inputs in ``[0, input_dim)``; floating inputs are truncated to integers,
    as Keras does.

    Args:
        input_dim: size of the vocabulary (maximum index + 1).
        output_dim: dimension of the dense embedding.
        embeddings_initializer: default ``"uniform"``
            (``RandomUniform(-0.05, 0.05)``).
        embeddings_regularizer: optional regularizer of the matrix.
        activity_regularizer: optional regularizer of the outputs.
        embeddings_constraint: optional constraint of the matrix.
        mask_zero: whether index 0 is a padding value to be masked out
            (the output mask is ``inputs != 0``); index 0 then cannot be
            used in the vocabulary.
        input_length: tf.keras's fixed input length; when given it sets
            the layer's input shape to ``(input_length,)``.
        sparse: tf.keras's sparse-output flag; only ``False`` is supported.

    Input shape:
        ``(batch_size, ...)`` integer tensor.

    Output shape:
        ``(batch_size, ..., output_dim)``.

    Raises:
        ValueError: for an index outside ``[0, input_dim)``, naming the
            layer, the index and ``input_dim``.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> layer = keras.layers.Embedding(10, 4, mask_zero=True)
        >>> y = layer(torch.tensor([[1, 2, 0]]))
        >>> y.shape
        torch.Size([1, 3, 4])
        >>> y._keras_mask
        tensor([[ True,  True, False]])
    """

    def __init__(self, input_dim, output_dim,
                 embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False,
                 input_length=None, sparse=False, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and (
                "batch_input_shape" not in kwargs):
            kwargs["input_shape"] = (tuple(input_length) if isinstance(
                input_length, (list, tuple)) else (input_length,))
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim = _check_dim(input_dim, "input_dim")
        self.output_dim = _check_dim(output_dim, "output_dim")
        if sparse:
            raise ValueError(
                f"Layer '{self.name}': sparse embedding outputs are not "
                f"supported. Received: sparse={sparse}"
            )
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.input_length = input_length
        self._checked_on_device = False

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            name="embeddings", shape=(self.input_dim, self.output_dim),
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint)
        self.built = True

    def call(self, inputs):
        if inputs.dtype not in (torch.int32, torch.int64):
            inputs = inputs.to(torch.int64)
        if inputs.device.type not in ("cpu", "meta"):
            self._check_on_device(inputs)
        try:
            return F.embedding(inputs, self.embeddings)
        except IndexError:
            raise self._index_error(inputs) from None

    def _check_on_device(self, indices):
        """Host check of accelerator indices (first call, or when asked)."""
        if self._checked_on_device and (
                not VALIDATE_INDICES or CALL_CONTEXT.data_checked):
            return
        if torch.compiler.is_compiling() or indices.numel() == 0:
            return
        low, high = torch.stack(torch.aminmax(indices)).tolist()
        if low < 0 or high >= self.input_dim:
            raise self._index_error(indices)
        self._checked_on_device = True

    def _check_data_once(self, values, input_name):
        """The hook a model calls on the whole array of the model input
        that feeds this layer, before ``fit``/``evaluate`` runs a step:
        one host pass, so no step checks accelerator indices again."""
        low, high = torch.aminmax(values.detach().reshape(-1).cpu())
        if int(low) < 0 or int(high) >= self.input_dim:
            bad = int(low) if int(low) < 0 else int(high)
            raise ValueError(
                f"Layer '{self.name}' (Embedding) expects indices in "
                f"[0, {self.input_dim}) (input_dim={self.input_dim}), but "
                f"input '{input_name}' contains {bad}. Received: index={bad}"
            )

    def _index_error(self, indices):
        bad = indices[(indices < 0) | (indices >= self.input_dim)]
        value = bad.flatten()[0].item() if bad.numel() else None
        return ValueError(
            f"Layer '{self.name}' (Embedding) expects indices in "
            f"[0, input_dim) with input_dim={self.input_dim}, but an input "
            f"index is out of that range. Received: index={value}"
        )

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return inputs != 0

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(
                self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(
                self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(
                self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(
                self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        })
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config


def _check_dim(value, name):
    if (not isinstance(value, (int, np.integer)) or isinstance(value, bool)
            or value <= 0):
        raise ValueError(
            "Both `input_dim` and `output_dim` should be positive integers. "
            f"Received: {name}={value}"
        )
    return int(value)
