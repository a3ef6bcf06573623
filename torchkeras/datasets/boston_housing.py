"""``datasets.boston_housing``: the Boston Housing regression data.

Keras's ``boston_housing.npz`` (URL, sha256, cache place) and its shuffled
split. Keras warns that this dataset has an ethical problem (a feature
assuming racial self-segregation affects prices); use it only to discuss
that.
"""

import numpy as np

from torchkeras.datasets.npz_utils import load_npz
from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_SHA256 = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Loads the Boston Housing dataset.

    Args:
        path: where to cache the file, relative to ``~/.keras/datasets``.
        test_split: fraction of the data kept as the test set, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` arrays of shape
        ``(num_samples, 13)``, ``y`` arrays of shape ``(num_samples,)``
        (median home values in k$).
    """
    if not 0 <= test_split < 1:
        raise ValueError(
            "`test_split` must be in [0, 1). "
            f"Received: test_split={test_split}"
        )
    path = get_file(
        path, origin=_ORIGIN + "boston_housing.npz", file_hash=_SHA256)
    arrays = load_npz(path)
    x, y = arrays["x"], arrays["y"]
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    split = int(len(x) * (1 - test_split))
    return (x[:split], y[:split]), (x[split:], y[split:])
