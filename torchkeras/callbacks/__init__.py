"""The tf.keras ``callbacks`` namespace: hooks into fit/evaluate/predict."""

from torchkeras.callbacks.callback import Callback as Callback
from torchkeras.callbacks.callback_list import CallbackList as CallbackList
from torchkeras.callbacks.history import History as History
from torchkeras.callbacks.lambda_callback import (
    LambdaCallback as LambdaCallback,
)
from torchkeras.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
from torchkeras.callbacks.backup_and_restore import (
    BackupAndRestore as BackupAndRestore,
)
from torchkeras.callbacks.csv_logger import CSVLogger as CSVLogger
from torchkeras.callbacks.early_stopping import EarlyStopping as EarlyStopping
from torchkeras.callbacks.learning_rate_scheduler import (
    LearningRateScheduler as LearningRateScheduler,
)
from torchkeras.callbacks.model_checkpoint import (
    ModelCheckpoint as ModelCheckpoint,
)
from torchkeras.callbacks.reduce_lr_on_plateau import (
    ReduceLROnPlateau as ReduceLROnPlateau,
)
from torchkeras.callbacks.tensorboard import TensorBoard as TensorBoard
from torchkeras.callbacks.terminate_on_nan import (
    TerminateOnNaN as TerminateOnNaN,
)
