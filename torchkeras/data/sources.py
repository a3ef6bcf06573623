"""The datasets that start a pipeline, and those that join pipelines.

`from_tensor_slices` (the in-memory source the batch fast path gathers
from), `from_tensors`, `range`, `from_generator`, `zip` and
`concatenate`.
"""

import numpy as np
import torch

from torchkeras.data import dataset as dataset_lib
from torchkeras.data import structure
from torchkeras.data import tensor_spec
from torchkeras.data.dataset import Dataset
from torchkeras.data.dataset import INFINITE_CARDINALITY
from torchkeras.data.dataset import UNKNOWN_CARDINALITY

_INDEX_CHUNK = 1 << 16  # row indices handed on per chunk
_ROW_CHUNK = 64  # rows gathered at once when iterating element by element


class TensorSliceDataset(Dataset):
    """The rows of an element of tensors: `from_tensor_slices`."""

    def __init__(self, element):
        self._template = element
        self._flat = structure.flatten(element)
        if not self._flat:
            raise ValueError(
                "`from_tensor_slices` needs at least one tensor. "
                f"Received: tensors={element!r}"
            )
        sizes = [structure.first_dim(leaf) for leaf in self._flat]
        if len(set(sizes)) > 1:
            shapes = [tuple(leaf.shape) for leaf in self._flat]
            raise ValueError(
                "All the tensors of `from_tensor_slices` must have the same "
                f"size in their first dimension. Received shapes: {shapes}"
            )
        self._n = int(sizes[0])

    def _cardinality(self):
        return self._n

    def _compute_element_spec(self):
        specs = [tensor_spec.TensorSpec(leaf.shape[1:], leaf.dtype)
                 for leaf in self._flat]
        return structure.pack_as(self._template, specs)

    def _index_source(self):
        return self

    def _index_chunks(self):
        return (np.arange(start, min(start + _INDEX_CHUNK, self._n))
                for start in range(0, self._n, _INDEX_CHUNK))

    def _fixed_order(self):
        return True

    def _elements(self):
        return self._rows(self._index_chunks())

    def _rows(self, chunks):
        """The elements at the indices of `chunks`, one by one."""
        for chunk in chunks:
            for start in range(0, len(chunk), _ROW_CHUNK):
                flat = self.gather_flat(chunk[start:start + _ROW_CHUNK])
                columns = [structure.unstack_leaf(leaf) for leaf in flat]
                for leaves in zip(*columns):
                    yield structure.pack_as(self._template, leaves)

    def gather_flat(self, indices):
        """The flat leaves of rows `indices` (copies, `tensor[idx]`)."""
        index = torch.from_numpy(np.asarray(indices, dtype=np.int64))
        on_device = {}
        flat = []
        for leaf in self._flat:
            if structure.is_string_leaf(leaf):
                flat.append(leaf[indices])
                continue
            if leaf.device not in on_device:
                on_device[leaf.device] = index.to(leaf.device)
            flat.append(leaf.index_select(0, on_device[leaf.device]))
        return flat

    def gather(self, indices):
        """The batch of rows `indices`, in the element's structure."""
        return structure.pack_as(self._template, self.gather_flat(indices))

    def truncated(self, n):
        """The same source cut to its first `n` rows (for `zip`)."""
        if n == self._n:
            return self._template
        return structure.map_structure(lambda leaf: leaf[:n], self._template)


class TensorDataset(Dataset):
    """A single element: `from_tensors`."""

    def __init__(self, element):
        self._element = element

    def _cardinality(self):
        return 1

    def _compute_element_spec(self):
        return structure.map_structure(structure.spec_of, self._element)

    def _elements(self):
        return iter((self._element,))

    def _fixed_order(self):
        return True


class RangeDataset(Dataset):
    """`range(start, stop, step)` as scalar tensors of `output_type`."""

    def __init__(self, args, output_type):
        if not 1 <= len(args) <= 3:
            raise TypeError(
                "`range` takes 1 to 3 arguments (stop), (start, stop) or "
                f"(start, stop, step). Received: args={args!r}"
            )
        names = ("start", "stop", "step")[:len(args)]
        if len(args) == 1:
            names = ("stop",)
        values = [dataset_lib.as_count(a, n) for a, n in zip(args, names)]
        if len(values) == 3 and values[2] == 0:
            raise ValueError("`step` must be a non-zero integer. Received: 0")
        self._range = range(*values)
        self._dtype = tensor_spec.TensorSpec((), output_type).torch_dtype

    def _cardinality(self):
        return len(self._range)

    def _compute_element_spec(self):
        return tensor_spec.TensorSpec((), tensor_spec.normalize_dtype(
            self._dtype))

    def _elements(self):
        r = self._range
        for start in range(0, len(r), _INDEX_CHUNK):
            part = r[start:start + _INDEX_CHUNK]
            values = torch.arange(part.start, part.stop, part.step,
                                  dtype=torch.int64)
            yield from values.to(self._dtype).unbind(0)

    def _fixed_order(self):
        return True


# --------------------------------------------------------------------------
# from_generator


def generator_spec(output_types, output_shapes, output_signature):
    """The element spec from `output_signature` or types and shapes."""
    if output_signature is not None:
        if output_types is not None or output_shapes is not None:
            raise TypeError(
                "`output_types` and `output_shapes` cannot be used together "
                "with `output_signature`. Received: "
                f"output_types={output_types!r}, "
                f"output_shapes={output_shapes!r}"
            )
        for spec in structure.flatten(output_signature):
            if not isinstance(spec, tensor_spec.TensorSpec):
                raise TypeError(
                    "`output_signature` must be a structure of "
                    f"`TensorSpec`. Received: {spec!r}"
                )
        return output_signature
    if output_types is None:
        if output_shapes is not None:
            raise TypeError(
                "`output_shapes` needs `output_types`. Received: "
                f"output_shapes={output_shapes!r}"
            )
        return None  # Read from the yielded values.
    types = structure.flatten(output_types)
    if output_shapes is None:
        shapes = [None] * len(types)
    else:
        shapes = structure.flatten_up_to(output_types, output_shapes)
    specs = [tensor_spec.TensorSpec(s, t) for s, t in zip(shapes, types)]
    return structure.pack_as(output_types, specs)


class GeneratorDataset(Dataset):
    """The elements that `generator(*args)` yields: `from_generator`."""

    def __init__(self, generator, args, spec):
        if not callable(generator):
            raise TypeError(
                "`generator` must be a Python callable. "
                f"Received: generator={generator!r}"
            )
        self._generator = generator
        self._args = tuple(args) if args is not None else ()
        self._spec = spec

    def _compute_element_spec(self):
        if self._spec is not None:
            return self._spec
        return super()._compute_element_spec()

    def _elements(self):
        first = None
        for value in self._generator(*self._args):
            if self._spec is not None:
                yield _convert_to_spec(value, self._spec)
                continue
            element = structure.to_element(value, "`generator` element")
            if first is None:
                first = element
            structure.assert_same_structure(first, element,
                                            "`generator` element")
            yield element


def _convert_to_spec(value, spec):
    if isinstance(spec, tensor_spec.TensorSpec):
        return structure.to_leaf_as(value, spec, "generator")
    if isinstance(spec, tuple) and isinstance(value, list):
        value = tuple(value)
    if structure.is_nested(spec):
        try:
            values = structure.flatten_up_to(spec, value)
        except (TypeError, ValueError):
            raise TypeError(
                "`generator` yielded an element that did not match the "
                f"expected structure. The expected structure was {spec}, but "
                f"the yielded element was {value!r}."
            ) from None
        leaves = [structure.to_leaf_as(v, s, "generator")
                  for v, s in zip(values, structure.flatten(spec))]
        return structure.pack_as(spec, leaves)
    raise TypeError(f"Invalid `output_signature` entry: {spec!r}")


# --------------------------------------------------------------------------
# zip and concatenate


def zip_datasets(args, datasets):
    """`Dataset.zip(a, b)`, `Dataset.zip((a, b))`, `zip(datasets={...})`."""
    if datasets is not None and args:
        raise TypeError(
            "Pass the datasets to `zip` positionally or as `datasets`, not "
            f"both. Received: args={args!r}, datasets={datasets!r}"
        )
    if datasets is None:
        datasets = args[0] if len(args) == 1 else tuple(args)
    flat = structure.flatten(datasets)
    for ds in flat:
        if not isinstance(ds, Dataset):
            raise TypeError(
                "`zip` expects a (nested) tuple or dict of datasets. "
                f"Received an item of type {type(ds).__name__}: {ds!r}"
            )
    if all(type(ds) is TensorSliceDataset for ds in flat):
        n = min(ds._n for ds in flat)
        return TensorSliceDataset(structure.pack_as(
            datasets, [ds.truncated(n) for ds in flat]))
    return ZipDataset(datasets)


class ZipDataset(Dataset):
    """Tuples / dicts of the elements of several datasets."""

    def __init__(self, datasets):
        self._datasets = datasets
        self._flat = structure.flatten(datasets)

    def _parents(self):
        return tuple(self._flat)

    def _cardinality(self):
        result = INFINITE_CARDINALITY
        for ds in self._flat:
            n = ds._cardinality()
            if n == UNKNOWN_CARDINALITY:
                return UNKNOWN_CARDINALITY
            if n != INFINITE_CARDINALITY and (
                    result == INFINITE_CARDINALITY or n < result):
                result = n
        return result

    def _compute_element_spec(self):
        return structure.pack_as(self._datasets,
                                 [ds.element_spec for ds in self._flat])

    def _fixed_order(self):
        return all(ds._fixed_order() for ds in self._flat)

    def _elements(self):
        iterators = [ds._iterate() for ds in self._flat]
        while True:
            items = []
            for iterator in iterators:
                try:
                    items.append(next(iterator))
                except StopIteration:
                    return
            yield structure.pack_as(self._datasets, items)


class ConcatenateDataset(Dataset):
    """The elements of `first`, then those of `second`."""

    def __init__(self, first, second):
        if not isinstance(second, Dataset):
            raise TypeError(
                "`concatenate` expects a Dataset. "
                f"Received: dataset={second!r}"
            )
        self._first = first
        self._second = second

    def _parents(self):
        return (self._first, self._second)

    def _cardinality(self):
        a = self._first._cardinality()
        b = self._second._cardinality()
        if INFINITE_CARDINALITY in (a, b):
            return INFINITE_CARDINALITY
        if UNKNOWN_CARDINALITY in (a, b):
            return UNKNOWN_CARDINALITY
        return a + b

    def _compute_element_spec(self):
        a, b = self._first.element_spec, self._second.element_spec
        structure.assert_same_structure(a, b, "concatenated dataset")
        return structure.map_structure(_merge_specs, a, b)

    def _fixed_order(self):
        return self._first._fixed_order() and self._second._fixed_order()

    def _elements(self):
        first = None
        for element in self._first._iterate():
            first = element if first is None else first
            yield element
        for element in self._second._iterate():
            if first is not None:
                structure.assert_same_structure(first, element,
                                                "concatenated dataset")
                first = None
            yield element


def _merge_specs(a, b):
    if a.dtype != b.dtype:
        raise TypeError(
            "Incompatible dtypes of the concatenated datasets: "
            f"{a.dtype} vs. {b.dtype}. Received: {a!r} and {b!r}"
        )
    return tensor_spec.TensorSpec(tensor_spec.merge_shapes(a.shape, b.shape),
                                  a.dtype)
