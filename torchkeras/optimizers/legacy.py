"""tf.keras 2's ``keras.optimizers.legacy`` and ``experimental`` names.

tf.keras 2 code imports optimizers from these namespaces; here they are the
same classes (their ``lr=`` and ``decay=`` keywords are accepted by every
optimizer).
"""

from torchkeras.optimizers.adadelta import Adadelta as Adadelta
from torchkeras.optimizers.adagrad import Adagrad as Adagrad
from torchkeras.optimizers.adam import Adam as Adam
from torchkeras.optimizers.adamax import Adamax as Adamax
from torchkeras.optimizers.base_optimizer import Optimizer as Optimizer
from torchkeras.optimizers.ftrl import Ftrl as Ftrl
from torchkeras.optimizers.nadam import Nadam as Nadam
from torchkeras.optimizers.rmsprop import RMSprop as RMSprop
from torchkeras.optimizers.sgd import SGD as SGD
