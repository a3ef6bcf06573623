"""The Keras 3 ``CTC`` loss: integer labels padded with 0, logits in.

Label 0 is the blank (``mask_index``) and the padding; every time step of
``y_pred`` counts. tf.keras 2's ``backend.ctc_batch_cost`` (softmax
probabilities, blank last) lives in ``backend/ctc.py``.
"""

import torch

from torchkeras.losses.loss import LossFunctionWrapper
from torchkeras.ops.core import convert_to_tensor
from torchkeras.ops.nn import ctc_loss
from torchkeras.utils.registry import keras_export


@keras_export("keras.losses.ctc")
def ctc(y_true, y_pred):
    """CTC loss of each sample.

    Args:
        y_true: `(batch_size, max_length)` integer labels; `0` is the blank
            and pads the labels, so it must not be used as a class.
        y_pred: `(batch_size, max_length, num_classes)` logits (not
            softmax-normalised).

    Returns:
        `(batch_size,)` losses.

    Examples:
        >>> y_true = np.array([[1, 2]])
        >>> y_pred = np.zeros((1, 4, 3), "float32")
        >>> keras.losses.ctc(y_true, y_pred)
        tensor([1.6864])
    """
    y_pred = convert_to_tensor(y_pred)
    y_true = convert_to_tensor(y_true, device=y_pred.device)
    if y_true.ndim != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape "
            "`(batch_size, max_length)` in integer format. "
            f"Received: y_true.shape={tuple(y_true.shape)}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape "
            "`(batch_size, max_length, num_classes)`. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    batch_size, time_steps = y_pred.shape[:2]
    input_length = torch.full((batch_size,), time_steps, dtype=torch.long)
    label_length = torch.sum(y_true != 0, dim=-1)
    return ctc_loss(y_true.long(), y_pred, label_length, input_length, 0)


@keras_export("keras.losses.CTC")
class CTC(LossFunctionWrapper):
    """CTC (Connectionist Temporal Classification) loss.

    `y_true` holds `(batch_size, max_length)` integer labels padded with 0
    (0 is the blank, so it is not a class), `y_pred`
    `(batch_size, time_steps, num_classes)` logits; see `keras.losses.ctc`.

    Args:
        reduction: See `Loss`.
        name: Optional name for the loss instance.
        dtype: The dtype of the loss's computations.

    Examples:
        >>> y_true = np.array([[1, 2]])
        >>> y_pred = np.zeros((1, 4, 3), "float32")
        >>> keras.losses.CTC()(y_true, y_pred)
        tensor(1.6864)
    """

    _cast_y_true = False

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def call(self, y_true, y_pred):
        return ctc(y_true, y_pred)
