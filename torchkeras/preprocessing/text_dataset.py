"""`text_dataset_from_directory`: `.txt` files to a dataset of strings.

Each element is the raw content of one file as `bytes` (TF reads files as
bytes; `TextVectorization` decodes them), in a `StringArray` whose
`numpy()` gives the `bytes` as `tf.Tensor.numpy()` does. Indexing,
labels and splits are `dataset_utils`'s.
"""

from torchkeras.preprocessing import dataset_utils
from torchkeras.utils.registry import keras_export


@keras_export(
    "keras.utils.text_dataset_from_directory",
    "keras.preprocessing.text_dataset_from_directory",
)
def text_dataset_from_directory(directory, labels="inferred",
                                label_mode="int", class_names=None,
                                batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None,
                                subset=None, follow_links=False,
                                verbose=True):
    """Generates a `torchkeras.data.Dataset` from text files in a directory.

    With ``labels="inferred"``, `directory` holds one subdirectory per
    class (``main/class_a/a_1.txt``, ``main/class_b/b_1.txt``, ...); the
    classes are the subdirectory names in alphanumeric order, or the order
    of `class_names`. Only `.txt` files are read.

    Args:
        directory: the directory of the data.
        labels: ``"inferred"`` (from the subdirectories), None (no labels)
            or a list/tuple of integer labels, one per file in the
            alphanumeric order of the file paths.
        label_mode: ``"int"`` (int32 labels, shape ``(batch_size,)``),
            ``"categorical"`` (float32 one-hot, ``(batch_size,
            num_classes)``), ``"binary"`` (float32 0/1, ``(batch_size,
            1)``; exactly 2 classes) or None (no labels).
        class_names: with ``labels="inferred"``, the subdirectories to use,
            in label order.
        batch_size: the batch size (default 32); None yields single texts.
        max_length: the most bytes of each text to keep (None: all).
        shuffle: whether to shuffle the files (default True); False sorts
            them alphanumerically.
        seed: the random seed of the shuffle (needed with
            `validation_split` when shuffling).
        validation_split: the fraction of files, between 0 and 1, to keep
            for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (returns a
            ``(train, validation)`` tuple); only with `validation_split`.
        follow_links: whether to visit subdirectories that are symlinks.
        verbose: whether to print the numbers of files and classes found.

    Returns:
        A `torchkeras.data.Dataset` of string batches of shape
        ``(batch_size,)`` (a NumPy object array of `bytes` with a
        `numpy()` method), or of ``(texts, labels)`` tuples. It has a
        `class_names` attribute.

    Examples:
        >>> import os, tempfile
        >>> root = tempfile.mkdtemp()
        >>> for name in ("neg", "pos"):
        ...     os.makedirs(os.path.join(root, name))
        ...     with open(os.path.join(root, name, "1.txt"), "w") as f:
        ...         _ = f.write(f"a {name} review")
        >>> ds = text_dataset_from_directory(root, batch_size=2, shuffle=False,
        ...                                  verbose=False)
        >>> ds.class_names
        ['neg', 'pos']
        >>> texts, labels = next(iter(ds))
        >>> texts.numpy()[0], labels.tolist()
        (b'a neg review', [0, 1])
    """
    def load(path):
        with open(path, "rb") as f:
            content = f.read() if max_length is None else f.read(max_length)
        return content

    return dataset_utils.from_directory(
        directory, labels, label_mode, class_names, batch_size, shuffle,
        seed, validation_split, subset, follow_links, verbose,
        formats=(".txt",), what="text", load=load)
