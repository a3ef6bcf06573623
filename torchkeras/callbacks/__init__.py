"""The tf.keras ``callbacks`` namespace: hooks into fit/evaluate/predict."""

from torchkeras.callbacks.callback import Callback as Callback
from torchkeras.callbacks.callback_list import CallbackList as CallbackList
from torchkeras.callbacks.history import History as History
from torchkeras.callbacks.lambda_callback import (
    LambdaCallback as LambdaCallback,
)
from torchkeras.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
