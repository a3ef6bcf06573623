"""The bundled 8x8 handwritten digits, in the ``mnist.load_data`` format.

1,797 images of the UCI optical-digits set ship inside the package
(``datasets/data/digits.npz``, CC BY 4.0, see ``DIGITS_LICENSE.txt``), so
examples and the README demo run with no network.
"""

import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "data", "digits.npz")


def load_data(test_split=0.2, seed=113):
    """Loads the 8x8 digits, split into train and test sets.

    Args:
        test_split: fraction of the samples kept for testing.
        seed: seed of the shuffle before splitting (fixed: the same split
            every time, as Keras's loaders).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of
        shape ``(num_samples, 8, 8)`` with values 0..16, ``y`` uint8 labels
        0..9.
    """
    if not 0.0 < test_split < 1.0:
        raise ValueError(
            "`test_split` must be between 0 and 1. "
            f"Received: test_split={test_split}"
        )
    with np.load(_PATH) as f:
        x, y = f["x"], f["y"]
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_test = int(round(len(x) * test_split))
    return (x[n_test:], y[n_test:]), (x[:n_test], y[:n_test])
