"""What the `*_dataset_from_directory` builders share.

- ``check_arguments``: Keras's checks of `labels`, `class_names`,
  `label_mode`, `validation_split`, `subset`, `shuffle` and `seed`;
- ``index_directory``: the files of a directory tree with their labels and
  class names, in Keras's order: class subdirectories sorted (or as
  `class_names` lists them), files walked in sorted order, then the paths
  and labels shuffled together by ``np.random.RandomState(seed)`` exactly as
  Keras does, so a seed picks the same files for each split as in Keras;
- ``split``: the `validation_split` / `subset` rule (the last
  ``int(validation_split * n)`` files are the validation files);
- ``build_dataset``: paths and labels to a `torchkeras.data.Dataset` that
  reads each file with a loader, shuffles, batches and prefetches.

The text and image builders own their file readers.
"""

import os

import numpy as np
import torch

from torchkeras.data.dataset import AUTOTUNE
from torchkeras.data.dataset import Dataset
from torchkeras.data.structure import as_string_leaf

_LABEL_MODES = ("int", "categorical", "binary", None)


def check_arguments(labels, label_mode, class_names, validation_split,
                    subset, shuffle, seed, what):
    """Raises Keras's errors for inconsistent arguments.

    Returns ``(labels, label_mode)``, both None when either one is None
    (a dataset without labels).
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, "
                f"of the same size as the number of {what} files in the "
                "target directory. If you wish to infer the labels from the "
                "subdirectory names in the target directory, pass "
                '`labels="inferred"`. If you wish to get a dataset that only '
                f"contains {what} samples (no labels), pass `labels=None`. "
                f"Received: labels={labels}"
            )
        if class_names:
            raise ValueError(
                'You can only pass `class_names` if `labels="inferred"`. '
                f"Received: labels={labels}, and class_names={class_names}"
            )
    if label_mode not in _LABEL_MODES:
        raise ValueError(
            '`label_mode` argument must be one of "int", "categorical", '
            f'"binary", or None. Received: label_mode={label_mode}'
        )
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(
            "`validation_split` must be between 0 and 1. "
            f"Received: validation_split={validation_split}"
        )
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError(
            "If `subset` is set, `validation_split` must be set, and "
            f"inversely. Received: subset={subset}, "
            f"validation_split={validation_split}"
        )
    if subset not in ("training", "validation", "both", None):
        raise ValueError(
            '`subset` must be either "training", "validation" or "both". '
            f"Received: subset={subset}"
        )
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must "
            "provide a `seed` argument, to make sure that there is no "
            "overlap between the training and validation subset. "
            "Received: seed=None"
        )
    if labels is None or label_mode is None:
        return None, None
    return labels, label_mode


def _class_subdirs(directory, class_names):
    subdirs = sorted(
        name for name in os.listdir(directory)
        if os.path.isdir(os.path.join(directory, name))
        and not name.startswith(".")
    )
    if class_names is None:
        return subdirs
    if not set(class_names).issubset(subdirs):
        raise ValueError(
            "The `class_names` passed did not match the names of the "
            "subdirectories of the target directory. Expected: "
            f"{subdirs} (or a subset of it), but received: "
            f"class_names={class_names}"
        )
    return list(class_names)


def _files_under(directory, follow_links, formats):
    """Relative paths of the matching files, walked in sorted order."""
    walk = os.walk(directory, followlinks=follow_links)
    found = []
    for root, _, files in sorted(walk, key=lambda entry: entry[0]):
        for name in sorted(files):
            if name.lower().endswith(formats):
                found.append(os.path.relpath(os.path.join(root, name),
                                             directory))
    return found


def index_directory(directory, labels, formats, class_names=None,
                    shuffle=True, seed=None, follow_links=False,
                    verbose=True):
    """Lists the files of `directory` with their labels.

    Returns:
        ``(file_paths, labels, class_names)``: paths (str), an int32 array
        of labels (None without labels) and the class names (None without
        labels).
    """
    if not os.path.isdir(directory):
        raise ValueError(
            "Expected `directory` to be an existing directory. "
            f"Received: directory={directory!r}"
        )
    if labels == "inferred":
        subdirs = _class_subdirs(directory, class_names)
    else:
        if class_names is not None:
            raise ValueError(
                "When `labels` is not 'inferred', `class_names` cannot be "
                f"specified. Received: labels={labels!r}, "
                f"class_names={class_names}"
            )
        subdirs = [""]
    paths = []
    inferred = []
    for index, subdir in enumerate(subdirs):
        for rel in _files_under(os.path.join(directory, subdir),
                                follow_links, formats):
            paths.append(os.path.join(directory, subdir, rel)
                         if subdir else os.path.join(directory, rel))
            inferred.append(index)
    if labels == "inferred":
        labels = np.asarray(inferred, dtype="int32")
        class_names = subdirs
    elif labels is not None:
        if len(labels) != len(paths):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of "
                f"files in the target directory. len(labels) is "
                f"{len(labels)} while we found {len(paths)} files in "
                f"directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
        labels = np.asarray(labels)
    if verbose:
        if labels is None:
            print(f"Found {len(paths)} files.")
        else:
            print(f"Found {len(paths)} files belonging to "
                  f"{len(class_names)} classes.")
    if shuffle:
        # Keras shuffles paths and labels with two generators of one seed.
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def split(paths, labels, validation_split, subset, verbose=True):
    """The `subset` part of `paths` / `labels` (all without a split).

    The validation part is the last ``int(validation_split * n)`` files.
    Where that count is 0, Keras 3 returns no training files (its
    ``samples[:-0]``); here the training part keeps every file.
    """
    if not validation_split:
        return paths, labels
    num_val = int(validation_split * len(paths))
    cut = len(paths) - num_val
    if subset == "training":
        if verbose:
            print(f"Using {cut} files for training.")
        return paths[:cut], None if labels is None else labels[:cut]
    if verbose:
        print(f"Using {num_val} files for validation.")
    return paths[cut:], None if labels is None else labels[cut:]


def encode_labels(labels, label_mode, num_classes):
    """The labels tensor of `label_mode` (Keras dtypes and shapes)."""
    labels = torch.as_tensor(np.asarray(labels, dtype="int64"))
    if label_mode == "binary":
        return labels.to(torch.float32).unsqueeze(-1)
    if label_mode == "categorical":
        return torch.nn.functional.one_hot(labels, num_classes).to(
            torch.float32)
    return labels.to(torch.int32)


def build_dataset(paths, labels, label_mode, num_classes, load, batch_size,
                  shuffle, seed):
    """A dataset of ``load(path)`` (and labels): shuffled, batched.

    As in Keras, the shuffle buffer holds ``8 * batch_size`` elements
    (1024 unbatched) and reshuffles every epoch.
    """
    path_ds = Dataset.from_tensor_slices(as_string_leaf(
        np.asarray(paths, dtype=object)))
    if label_mode is not None:
        label_ds = Dataset.from_tensor_slices(
            encode_labels(labels, label_mode, num_classes))
        ds = Dataset.zip((path_ds, label_ds))
    else:
        ds = path_ds
    if shuffle:
        buffer = 1024 if batch_size is None else 8 * batch_size
        ds = ds.shuffle(buffer, seed=seed)
    if label_mode is not None:
        ds = ds.map(lambda path, label: (load(str(path[()])), label))
    else:
        ds = ds.map(lambda path: load(str(path[()])))
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds.prefetch(AUTOTUNE)


def check_found(paths, directory, what, formats):
    if not paths:
        raise ValueError(
            f"No {what} found in directory {directory}. "
            f"Allowed formats: {formats}"
        )


def from_directory(directory, labels, label_mode, class_names, batch_size,
                   shuffle, seed, validation_split, subset, follow_links,
                   verbose, formats, what, load):
    """The whole `*_dataset_from_directory` recipe for one file loader.

    Returns one dataset, or ``(train, validation)`` for ``subset="both"``;
    each carries `class_names` and `file_paths`.
    """
    labels, label_mode = check_arguments(
        labels, label_mode, class_names, validation_split, subset, shuffle,
        seed, what)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(
        directory, labels, formats, class_names=class_names,
        shuffle=shuffle, seed=seed, follow_links=follow_links,
        verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            'When passing `label_mode="binary"`, there must be exactly 2 '
            f"class_names. Received: class_names={class_names}"
        )
    num_classes = len(class_names) if class_names else 0
    subsets = ["training", "validation"] if subset == "both" else [subset]
    datasets = []
    for part in subsets:
        part_paths, part_labels = split(paths, labels, validation_split,
                                        part, verbose)
        noun = f"{part} {what} files" if subset == "both" else f"{what} files"
        check_found(part_paths, directory, noun, formats)
        # Keras leaves the validation half of "both" unshuffled.
        part_shuffle = shuffle and not (subset == "both"
                                        and part == "validation")
        ds = build_dataset(part_paths, part_labels, label_mode, num_classes,
                           load, batch_size, part_shuffle, seed)
        ds.class_names = class_names
        ds.file_paths = part_paths
        datasets.append(ds)
    return tuple(datasets) if subset == "both" else datasets[0]
