"""``datasets.imdb``: the IMDB movie-review sentiment dataset.

Keras's ``imdb.npz`` and ``imdb_word_index.json`` (URLs, hashes, cache
places), the same shuffle and the same index post-processing, so the
arrays equal Keras's. The ``.npz`` stores the reviews as object arrays,
which are read without running pickle code (see `npz_utils`).
"""

import numpy as np

from torchkeras.datasets import word_sequences
from torchkeras.datasets.npz_utils import load_npz
from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_NPZ_SHA256 = (
    "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f")
_WORD_INDEX_MD5 = "bfafd718b763782e994055a2d397834f"


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Loads the IMDB dataset: 25,000 training and 25,000 test reviews.

    Each review is a list of word indices; index ``i`` is the ``i``-th most
    frequent word, shifted by `index_from`. Labels are 1 (positive) or 0.

    Args:
        path: where to cache the file, relative to ``~/.keras/datasets``.
        num_words: keep the `num_words` most frequent words; the others
            become `oov_char`. `None` keeps all.
        skip_top: the `skip_top` most frequent words become `oov_char`.
        maxlen: drop the reviews of `maxlen` words or more. `None` keeps
            all.
        seed: seed of the shuffle.
        start_char: index marking the start of every review (`None`: no
            marker).
        oov_char: index of the words cut by `num_words` or `skip_top`
            (`None`: they are dropped).
        index_from: shift added to every word index.
        **kwargs: tf.keras 2's `nb_words` (renamed `num_words`).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` 1-D object arrays
        of lists of ints, ``y`` int arrays of 0/1 labels.
    """
    num_words = word_sequences.pop_legacy_kwargs(kwargs, num_words)
    path = get_file(
        fname=path, origin=_ORIGIN + "imdb.npz", file_hash=_NPZ_SHA256)
    arrays = load_npz(path)
    rng = np.random.RandomState(seed)
    x_train, labels_train = _shuffled(
        rng, arrays["x_train"], arrays["y_train"])
    x_test, labels_test = _shuffled(rng, arrays["x_test"], arrays["y_test"])
    x_train = word_sequences.shift_indices(x_train, start_char, index_from)
    x_test = word_sequences.shift_indices(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = word_sequences.remove_long_seq(
            maxlen, x_train, labels_train)
        x_test, labels_test = word_sequences.remove_long_seq(
            maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                "After filtering for sequences shorter than maxlen="
                f"{maxlen}, no sequence was kept. Increase maxlen."
            )
    xs = word_sequences.limit_vocabulary(
        x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    split = len(x_train)
    return ((word_sequences.object_array(xs[:split]), labels[:split]),
            (word_sequences.object_array(xs[split:]), labels[split:]))


def _shuffled(rng, x, y):
    indices = np.arange(len(x))
    rng.shuffle(indices)
    return list(x[indices]), y[indices]


def get_word_index(path="imdb_word_index.json"):
    """Returns the dict mapping each IMDB word to its index (from 1).

    Add `index_from` to an index to find the word in `load_data`'s data.

    Args:
        path: where to cache the file, relative to ``~/.keras/datasets``.
    """
    path = get_file(
        fname=path, origin=_ORIGIN + "imdb_word_index.json",
        file_hash=_WORD_INDEX_MD5)
    return word_sequences.load_word_index(path)
