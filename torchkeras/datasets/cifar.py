"""What CIFAR-10 and CIFAR-100 share: finding and reading the batches.

The archive is Keras's (same URL, sha256). Batches already extracted by
tf.keras 2 (``datasets/cifar-10-batches-py/``) or by Keras 3
(``datasets/cifar-10-batches-py-target/cifar-10-batches-py/``) are used in
place; otherwise the archive is fetched into tf.keras 2's layout, reusing
an archive Keras 3 left in the cache. Batches are Python 2 pickles, read
with `npz_utils.load_pickle`, which builds only NumPy arrays and Python
literals and never runs code from the file.
"""

import os
import shutil

import numpy as np

from torchkeras.backend.config import image_data_format
from torchkeras.datasets.npz_utils import load_pickle
from torchkeras.utils.file_utils import cache_datadir
from torchkeras.utils.file_utils import get_file
from torchkeras.utils.file_utils import validate_file


def batches_folder(folder, origin, file_hash, marker):
    """Returns the folder holding the extracted batches of `folder`.

    Args:
        folder: the archive's top folder (``cifar-10-batches-py``).
        origin: URL of the ``.tar.gz`` archive.
        file_hash: its sha256.
        marker: a batch file that must be in the folder (``test_batch``).
    """
    datadir = cache_datadir()
    candidates = (
        os.path.join(datadir, folder),
        os.path.join(datadir, folder + "-target", folder),
        os.path.join(datadir, folder, folder),
    )
    for candidate in candidates:
        if os.path.isfile(os.path.join(candidate, marker)):
            return candidate
    _adopt_keras3_archive(datadir, folder, file_hash)
    path = get_file(
        fname=folder, origin=origin, untar=True, file_hash=file_hash)
    if not os.path.isfile(os.path.join(path, marker)):
        raise ValueError(
            f"The archive {path}.tar.gz does not hold {folder}/{marker}; "
            "it may not be the file Keras downloads."
        )
    return path


def _adopt_keras3_archive(datadir, folder, file_hash):
    """Copies an archive Keras 3 downloaded to tf.keras 2's name."""
    target = os.path.join(datadir, folder + ".tar.gz")
    if os.path.exists(target):
        return
    for name in (folder + "-target_archive", folder + "_archive"):
        archive = os.path.join(datadir, name)
        if os.path.isfile(archive) and validate_file(archive, file_hash):
            shutil.copyfile(archive, target + ".part")
            os.replace(target + ".part", target)
            return


def load_batch(fpath, label_key="labels"):
    """Reads one CIFAR batch file.

    Args:
        fpath: path of the batch.
        label_key: key of the labels (``labels``, ``fine_labels``,
            ``coarse_labels``).

    Returns:
        ``(data, labels)``: uint8 images of shape ``(n, 3, 32, 32)`` and a
        list of ``n`` integer labels.
    """
    batch = load_pickle(fpath, encoding="bytes")
    if isinstance(batch, dict):
        batch = {_text(k): v for k, v in batch.items()}
    data = batch.get("data") if isinstance(batch, dict) else None
    labels = batch.get(label_key) if isinstance(batch, dict) else None
    if (not isinstance(data, np.ndarray) or data.dtype != np.uint8
            or data.ndim != 2 or data.shape[1] != 3 * 32 * 32
            or labels is None or len(labels) != len(data)):
        raise ValueError(
            f"The file {fpath} is not a CIFAR batch: expected a dict with "
            f"uint8 `data` of shape (n, 3072) and `{label_key}` of length "
            "n."
        )
    return data.reshape(len(data), 3, 32, 32), list(labels)


def _text(key):
    return key.decode("utf8") if isinstance(key, bytes) else key


def to_image_data_format(x):
    """Keras's layout: NCHW batches become NHWC under channels_last."""
    if image_data_format() == "channels_last":
        return x.transpose(0, 2, 3, 1)
    return x
