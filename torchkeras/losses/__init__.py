"""The tf.keras ``losses`` namespace: loss classes, functions and lookup.

``get`` turns a name (``"mse"``, ``"categorical_crossentropy"``,
``"CategoricalCrossentropy"``), a config dict, a class or a callable into
a loss; ``serialize``/``deserialize`` speak Keras's config format.
"""

import inspect

from torchkeras.losses.ctc import CTC as CTC
from torchkeras.losses.ctc import ctc as ctc
from torchkeras.losses.hinge import CategoricalHinge as CategoricalHinge
from torchkeras.losses.hinge import Hinge as Hinge
from torchkeras.losses.hinge import SquaredHinge as SquaredHinge
from torchkeras.losses.hinge import categorical_hinge as categorical_hinge
from torchkeras.losses.hinge import hinge as hinge
from torchkeras.losses.hinge import squared_hinge as squared_hinge
from torchkeras.losses.loss import Loss as Loss
from torchkeras.losses.loss import LossFunctionWrapper as LossFunctionWrapper
from torchkeras.losses.loss import Reduction as Reduction
from torchkeras.losses.probabilistic import (
    BinaryCrossentropy as BinaryCrossentropy,
)
from torchkeras.losses.probabilistic import (
    BinaryFocalCrossentropy as BinaryFocalCrossentropy,
)
from torchkeras.losses.probabilistic import (
    CategoricalCrossentropy as CategoricalCrossentropy,
)
from torchkeras.losses.probabilistic import (
    CategoricalFocalCrossentropy as CategoricalFocalCrossentropy,
)
from torchkeras.losses.probabilistic import KLDivergence as KLDivergence
from torchkeras.losses.probabilistic import Poisson as Poisson
from torchkeras.losses.probabilistic import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from torchkeras.losses.probabilistic import (
    binary_crossentropy as binary_crossentropy,
)
from torchkeras.losses.probabilistic import (
    binary_focal_crossentropy as binary_focal_crossentropy,
)
from torchkeras.losses.probabilistic import (
    categorical_crossentropy as categorical_crossentropy,
)
from torchkeras.losses.probabilistic import (
    categorical_focal_crossentropy as categorical_focal_crossentropy,
)
from torchkeras.losses.probabilistic import kl_divergence as kl_divergence
from torchkeras.losses.probabilistic import poisson as poisson
from torchkeras.losses.probabilistic import (
    sparse_categorical_crossentropy as sparse_categorical_crossentropy,
)
from torchkeras.losses.probabilistic import (
    validate_sparse_labels as validate_sparse_labels,
)
from torchkeras.losses.regression import CosineSimilarity as CosineSimilarity
from torchkeras.losses.regression import Huber as Huber
from torchkeras.losses.regression import LogCosh as LogCosh
from torchkeras.losses.regression import (
    MeanAbsoluteError as MeanAbsoluteError,
)
from torchkeras.losses.regression import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from torchkeras.losses.regression import MeanSquaredError as MeanSquaredError
from torchkeras.losses.regression import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from torchkeras.losses.regression import (
    cosine_similarity as cosine_similarity,
)
from torchkeras.losses.regression import huber as huber
from torchkeras.losses.regression import log_cosh as log_cosh
from torchkeras.losses.regression import (
    mean_absolute_error as mean_absolute_error,
)
from torchkeras.losses.regression import (
    mean_absolute_percentage_error as mean_absolute_percentage_error,
)
from torchkeras.losses.regression import (
    mean_squared_error as mean_squared_error,
)
from torchkeras.losses.regression import (
    mean_squared_logarithmic_error as mean_squared_logarithmic_error,
)
from torchkeras.losses.segmentation import Dice as Dice
from torchkeras.losses.segmentation import Tversky as Tversky
from torchkeras.losses.segmentation import dice as dice
from torchkeras.losses.segmentation import tversky as tversky
from torchkeras.utils.serialization import deserialize_keras_object
from torchkeras.utils.serialization import serialize_keras_object

# tf.keras 2 / Keras 3 legacy aliases.
bce = BCE = binary_crossentropy
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh

_CLASSES = (
    Loss,
    LossFunctionWrapper,
    KLDivergence,
    Poisson,
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    SparseCategoricalCrossentropy,
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    CosineSimilarity,
    LogCosh,
    Huber,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    Dice,
    Tversky,
    CTC,
)
_FUNCTIONS = (
    kl_divergence,
    poisson,
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
    mean_squared_error,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_logarithmic_error,
    cosine_similarity,
    log_cosh,
    huber,
    hinge,
    squared_hinge,
    categorical_hinge,
    dice,
    tversky,
    ctc,
)
ALL_OBJECTS_DICT = {obj.__name__: obj for obj in _CLASSES + _FUNCTIONS}
ALL_OBJECTS_DICT.update(
    bce=bce,
    BCE=BCE,
    mse=mse,
    MSE=MSE,
    mae=mae,
    MAE=MAE,
    mape=mape,
    MAPE=MAPE,
    msle=msle,
    MSLE=MSLE,
    kld=kld,
    KLD=KLD,
    kullback_leibler_divergence=kullback_leibler_divergence,
    logcosh=logcosh,
)


def serialize(loss):
    """Returns the Keras config of a `Loss` (or the name of a function)."""
    return serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    """Returns the loss a config dict or name describes."""
    return deserialize_keras_object(
        name,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="loss function",
    )


def get(identifier):
    """Retrieves a loss function or `Loss` instance.

    Args:
        identifier: `None`, a name (`"mse"`, `"CategoricalCrossentropy"`),
            a config dict, a `Loss` class or instance, or a callable.

    Returns:
        A loss function or `Loss` instance (classes are instantiated).

    Raises:
        ValueError: when the identifier names no known loss.

    Example:

    >>> get("mse") is mean_squared_error
    True
    >>> type(get("CategoricalCrossentropy")).__name__
    'CategoricalCrossentropy'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(
        "Could not interpret loss identifier: expected a loss name, config "
        f"dict, `Loss` or callable. Received: identifier={identifier!r}"
    )
