"""`Dataset.cache`: replay the elements of the first complete pass.

In memory (`filename=''`) or in one file written with `torch.save` once a
pass completes (to a temporary name, then renamed, so a crash never leaves
a half-written cache) and read back with `torch.load(weights_only=True)`,
which runs no code from the file. A cache file that already exists is
used instead of the input, as in tf.data. A partial pass (`take`, an
early `break`) stores nothing.

A cache over a fixed-order slice source stores nothing either: the rows
are in memory already, and the batch fast path reads them directly.
"""

import os

import numpy as np
import torch

from torchkeras.data import dataset as dataset_lib
from torchkeras.data import structure
from torchkeras.data.dataset import Dataset

_FORMAT = "torchkeras.data.cache"


class CacheDataset(Dataset):
    """The input's elements, computed once and then replayed."""

    def __init__(self, input_dataset, filename):
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(
                "`filename` must be a path or ''. "
                f"Received: filename={filename!r}"
            )
        self._input = input_dataset
        self._filename = os.fspath(filename)
        self._memory = None

    def _parents(self):
        return (self._input,)

    def _cardinality(self):
        return self._input._cardinality()

    def _compute_element_spec(self):
        return self._input.element_spec

    def _fixed_order(self):
        return True

    def _index_source(self):
        if self._input._fixed_order():
            return self._input._row_source()
        return None

    def _index_chunks(self):
        return self._input._index_chunks()

    def _elements(self):
        if self._memory is not None:
            return iter(self._memory)
        if self._filename and os.path.exists(self._filename):
            self._memory = load_elements(self._filename)
            return iter(self._memory)
        return self._record()

    def _record(self):
        elements = []
        for element in self._input._iterate():
            elements.append(element)
            yield element
        if dataset_lib.peeking():
            return
        if self._filename:
            save_elements(self._filename, elements)
        self._memory = elements


def _template(element):
    """The element's structure with `None` leaves (namedtuples as tuples)."""
    if isinstance(element, dict):
        return {k: _template(v) for k, v in element.items()}
    if isinstance(element, tuple):
        return tuple(_template(v) for v in element)
    return None


def _encode(leaf):
    if structure.is_string_leaf(leaf):
        return {"strings": leaf.reshape(-1).tolist(),
                "shape": list(leaf.shape)}
    return leaf.detach().cpu()


def _decode(leaf):
    if isinstance(leaf, dict):
        array = np.empty(len(leaf["strings"]), dtype=object)
        array[:] = leaf["strings"]
        return structure.as_string_leaf(array.reshape(leaf["shape"]))
    return leaf


def save_elements(filename, elements):
    """Writes `elements` (all of one structure) to `filename` atomically."""
    payload = {
        "format": _FORMAT,
        "version": 1,
        "template": _template(elements[0]) if elements else None,
        "elements": [[_encode(leaf) for leaf in structure.flatten(e)]
                     for e in elements],
    }
    temporary = f"{filename}.tmp-{os.getpid()}"
    torch.save(payload, temporary)
    os.replace(temporary, filename)


def load_elements(filename):
    """Reads the elements written by `save_elements`."""
    try:
        payload = torch.load(filename, weights_only=True)
    except Exception as error:  # noqa: BLE001 - reported with the path.
        raise ValueError(
            f"Could not read the dataset cache file {filename!r}: {error}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
        raise ValueError(
            f"The file {filename!r} is not a torchkeras dataset cache. "
            "Delete it or pass another `filename` to `cache`."
        )
    template = payload["template"]
    return [structure.pack_as(template, [_decode(leaf) for leaf in leaves])
            for leaves in payload["elements"]]
