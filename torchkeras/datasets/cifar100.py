"""``datasets.cifar100``: CIFAR-100, 32x32 colour images of 100 classes.

Keras's archive, URL, sha256 and cache places (see `cifar`).
"""

import os

import numpy as np

from torchkeras.datasets import cifar

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
_SHA256 = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode="fine"):
    """Loads the CIFAR-100 dataset: 50,000 training and 10,000 test images.

    Args:
        label_mode: `"fine"` (100 classes) or `"coarse"` (20
            super-classes).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of
        shape ``(num_samples, 32, 32, 3)`` (``(num_samples, 3, 32, 32)``
        under ``channels_first``), ``y`` int64 arrays of shape
        ``(num_samples, 1)``, as Keras returns them.
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(
            '`label_mode` must be one of `"fine"`, `"coarse"`. '
            f"Received: label_mode={label_mode}."
        )
    path = cifar.batches_folder(
        "cifar-100-python", _ORIGIN, _SHA256, marker="test")
    label_key = label_mode + "_labels"
    x_train, y_train = cifar.load_batch(
        os.path.join(path, "train"), label_key=label_key)
    x_test, y_test = cifar.load_batch(
        os.path.join(path, "test"), label_key=label_key)
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    return ((cifar.to_image_data_format(x_train), y_train),
            (cifar.to_image_data_format(x_test), y_test))
