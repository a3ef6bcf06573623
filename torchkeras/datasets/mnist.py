"""``datasets.mnist``: the MNIST digits, from Keras's ``mnist.npz``.

The file, its URL, sha256 and cache place (``~/.keras/datasets/mnist.npz``)
are Keras's, so a copy that Keras downloaded is used as is.
"""

from torchkeras.datasets.npz_utils import load_npz
from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path="mnist.npz"):
    """Loads the MNIST dataset.

    60,000 28x28 grayscale training images of the 10 digits, and 10,000
    test images.

    Args:
        path: where to cache the file, relative to ``~/.keras/datasets``
            (an absolute path is used as is).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of
        shape ``(num_samples, 28, 28)`` with values 0..255, ``y`` uint8
        labels 0..9 of shape ``(num_samples,)``.
    """
    path = get_file(
        fname=path, origin=_ORIGIN + "mnist.npz", file_hash=_SHA256)
    arrays = load_npz(path)
    return ((arrays["x_train"], arrays["y_train"]),
            (arrays["x_test"], arrays["y_test"]))
