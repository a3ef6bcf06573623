"""``datasets.reuters``: the Reuters newswire topic dataset (46 topics).

Keras's ``reuters.npz`` and ``reuters_word_index.json`` (URLs, hashes,
cache places), the same shuffle, split and index post-processing. The
``.npz`` object arrays are read without running pickle code.
"""

import numpy as np

from torchkeras.datasets import word_sequences
from torchkeras.datasets.npz_utils import load_npz
from torchkeras.utils.file_utils import get_file

_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_NPZ_SHA256 = (
    "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916")
_WORD_INDEX_MD5 = "4d44cc38712099c9e383dc6e5f11a921"
_LABEL_NAMES = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper",
    "housing", "money-supply", "coffee", "sugar", "trade", "reserves",
    "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
    "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin",
    "strategic-metal", "livestock", "retail", "ipi", "iron-steel",
    "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Loads the Reuters newswire dataset: 11,228 wires over 46 topics.

    Args:
        path: where to cache the file, relative to ``~/.keras/datasets``.
        num_words: keep the `num_words` most frequent words; the others
            become `oov_char`. `None` keeps all.
        skip_top: the `skip_top` most frequent words become `oov_char`.
        maxlen: drop the wires of `maxlen` words or more.
        test_split: fraction of the wires kept for testing.
        seed: seed of the shuffle.
        start_char: index marking the start of every wire (`None`: none).
        oov_char: index of the words cut by `num_words` or `skip_top`
            (`None`: they are dropped).
        index_from: shift added to every word index.
        **kwargs: tf.keras 2's `nb_words` (renamed `num_words`).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: ``x`` 1-D object arrays
        of lists of ints, ``y`` int arrays of topic indices 0..45.
    """
    num_words = word_sequences.pop_legacy_kwargs(kwargs, num_words)
    path = get_file(
        fname=path, origin=_ORIGIN + "reuters.npz", file_hash=_NPZ_SHA256)
    arrays = load_npz(path)
    xs, labels = arrays["x"], arrays["y"]
    indices = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(indices)
    xs, labels = list(xs[indices]), labels[indices]
    xs = word_sequences.shift_indices(xs, start_char, index_from)
    if maxlen:
        xs, labels = word_sequences.remove_long_seq(maxlen, xs, labels)
    xs = word_sequences.limit_vocabulary(xs, num_words, skip_top, oov_char)
    split = int(len(xs) * (1 - test_split))
    return ((word_sequences.object_array(xs[:split]),
             np.array(labels[:split])),
            (word_sequences.object_array(xs[split:]),
             np.array(labels[split:])))


def get_word_index(path="reuters_word_index.json"):
    """Returns the dict mapping each Reuters word to its index (from 1).

    Add `index_from` (3 by default) to an index to find the word in
    `load_data`'s data.

    Args:
        path: where to cache the file, relative to ``~/.keras/datasets``.
    """
    path = get_file(
        path, origin=_ORIGIN + "reuters_word_index.json",
        file_hash=_WORD_INDEX_MD5)
    return word_sequences.load_word_index(path)


def get_label_names():
    """Returns the 46 topic names, in the order of the labels."""
    return _LABEL_NAMES
