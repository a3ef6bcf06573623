"""``datasets.fashion_mnist``: Zalando's Fashion-MNIST.

Keras's four gzip'd IDX files, URLs, sha256s and cache folder
(``~/.keras/datasets/fashion-mnist``). The IDX headers are checked, so a
foreign or truncated file is reported by name rather than reshaped into
nonsense.
"""

import gzip
import os

import numpy as np

from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILE_HASHES = {
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
}
_LABELS_MAGIC = 2049
_IMAGES_MAGIC = 2051


def load_data():
    """Loads the Fashion-MNIST dataset.

    60,000 28x28 grayscale training images of 10 clothing categories
    (0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal,
    6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot), and 10,000 test images.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` uint8 arrays of
        shape ``(num_samples, 28, 28)``, ``y`` uint8 labels of shape
        ``(num_samples,)``.
    """
    cache_subdir = os.path.join("datasets", "fashion-mnist")
    paths = {
        fname: get_file(fname, origin=_ORIGIN + fname,
                        cache_subdir=cache_subdir, file_hash=file_hash)
        for fname, file_hash in _FILE_HASHES.items()
    }
    y_train = _read_idx(paths["train-labels-idx1-ubyte.gz"], _LABELS_MAGIC)
    x_train = _read_idx(paths["train-images-idx3-ubyte.gz"], _IMAGES_MAGIC)
    y_test = _read_idx(paths["t10k-labels-idx1-ubyte.gz"], _LABELS_MAGIC)
    x_test = _read_idx(paths["t10k-images-idx3-ubyte.gz"], _IMAGES_MAGIC)
    return (x_train, y_train), (x_test, y_test)


def _read_idx(path, magic):
    """Reads a gzip'd IDX file of unsigned bytes (1-D labels, 3-D images)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = 1 if magic == _LABELS_MAGIC else 3
    header = 4 * (1 + ndim)
    if len(data) >= header:
        fields = np.frombuffer(data, ">u4", count=1 + ndim)
        shape = tuple(int(d) for d in fields[1:])
        if fields[0] == magic and len(data) == header + int(np.prod(shape)):
            return np.frombuffer(data, np.uint8, offset=header).reshape(shape)
    raise ValueError(
        f"The file {path} is not an IDX file of {ndim}-D uint8 data (magic "
        f"number {magic}) of the length its header gives; it may be "
        "truncated or corrupted."
    )
