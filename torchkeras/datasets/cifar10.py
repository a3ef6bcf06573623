"""``datasets.cifar10``: CIFAR-10, 32x32 colour images of 10 classes.

Keras's archive, URL, sha256 and cache places (see `cifar`).
"""

import os

import numpy as np

from torchkeras.datasets import cifar

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_data():
    """Loads the CIFAR-10 dataset: 50,000 training and 10,000 test images.

    Classes: 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer, 5 dog,
    6 frog, 7 horse, 8 ship, 9 truck.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of
        shape ``(num_samples, 32, 32, 3)`` (``(num_samples, 3, 32, 32)``
        under ``channels_first``), ``y`` uint8 arrays of shape
        ``(num_samples, 1)``.
    """
    path = cifar.batches_folder(
        "cifar-10-batches-py", _ORIGIN, _SHA256, marker="test_batch")
    parts = [cifar.load_batch(os.path.join(path, f"data_batch_{i}"))
             for i in range(1, 6)]
    x_train = np.concatenate([x for x, _ in parts]).astype("uint8")
    y_train = np.concatenate([y for _, y in parts]).astype("uint8")
    x_test, y_test = cifar.load_batch(os.path.join(path, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.reshape(y_test, (len(y_test), 1)).astype("uint8")
    return ((cifar.to_image_data_format(x_train), y_train),
            (cifar.to_image_data_format(x_test.astype("uint8")), y_test))
