"""`batch`, `padded_batch` and `unbatch`.

`batch` over rows of a `from_tensor_slices` source (through `shuffle`,
`take`, `skip`, `repeat`, `shard`, `prefetch`, `cache`) gathers each batch
with one `tensor[idx]` per leaf; anything else stacks the elements one by
one. Both give the same batches (see `dataset.py`).
"""

import numpy as np
import torch

from torchkeras.data import dataset as dataset_lib
from torchkeras.data import structure
from torchkeras.data import tensor_spec
from torchkeras.data.dataset import Dataset


def _batch_size(value):
    size = dataset_lib.as_count(value, "batch_size")
    if size <= 0:
        raise ValueError(
            f"`batch_size` must be greater than zero. Received: "
            f"batch_size={size}"
        )
    return size


def index_batches(chunks, batch_size, drop_remainder):
    """Regroups a stream of index chunks into index batches."""
    pending = np.empty(0, dtype=np.int64)
    for chunk in chunks:
        if len(pending):
            chunk = np.concatenate([pending, chunk])
        full = len(chunk) // batch_size
        for b in range(full):
            yield chunk[b * batch_size:(b + 1) * batch_size]
        pending = chunk[full * batch_size:]
    if len(pending) and not drop_remainder:
        yield pending


def collate(elements):
    """Stacks a list of elements of one structure, leaf by leaf."""
    first = elements[0]
    signature = structure.structure_signature(first)
    for element in elements[1:]:
        if structure.structure_signature(element) != signature:
            structure.assert_same_structure(first, element, "batched element")
    columns = zip(*(structure.flatten(e) for e in elements))
    leaves = [structure.stack_leaves(list(column), i)
              for i, column in enumerate(columns)]
    return structure.pack_as(first, leaves)


class _BatchBase(Dataset):
    def __init__(self, input_dataset, batch_size, drop_remainder):
        self._input = input_dataset
        self._size = _batch_size(batch_size)
        self._drop = bool(drop_remainder)

    def _parents(self):
        return (self._input,)

    def _cardinality(self):
        n = self._input._cardinality()
        if n < 0:
            return n
        extra = 0 if self._drop or n % self._size == 0 else 1
        return n // self._size + extra

    def _batch_dim(self, spec):
        if spec.shape is None:
            return spec
        dim = self._size if self._drop else None
        return tensor_spec.TensorSpec((dim,) + spec.shape, spec.dtype)

    def _lists(self):
        """The input elements in lists of `batch_size`."""
        batch = []
        for element in self._input._iterate():
            batch.append(element)
            if len(batch) == self._size:
                yield batch
                batch = []
        if batch and not self._drop:
            yield batch


class BatchDataset(_BatchBase):
    """Elements stacked `batch_size` at a time along a new first axis."""

    def _compute_element_spec(self):
        return structure.map_structure(self._batch_dim,
                                       self._input.element_spec)

    def _fixed_order(self):
        return self._input._fixed_order()

    def _elements(self):
        source = self._input._row_source()
        if source is not None:
            return map(source.gather, index_batches(
                self._input._index_chunks(), self._size, self._drop))
        return map(collate, self._lists())


class PaddedBatchDataset(_BatchBase):
    """Batches elements of different shapes, padded to a common shape.

    `padded_shapes` mirrors the element (None: pad that dim, or the whole
    component, to the batch maximum); `padding_values` too, or is one
    value for all components (default 0, or '' for strings).
    """

    def __init__(self, input_dataset, batch_size, padded_shapes,
                 padding_values, drop_remainder):
        super().__init__(input_dataset, batch_size, drop_remainder)
        self._shapes = padded_shapes
        self._values = padding_values

    def _compute_element_spec(self):
        spec = self._input.element_spec
        shapes = self._flat_shapes(spec)
        flat = [self._batch_dim(tensor_spec.TensorSpec(
            s.shape if shape is None else shape, s.dtype))
            for s, shape in zip(structure.flatten(spec), shapes)]
        return structure.pack_as(spec, flat)

    def _flat_shapes(self, template):
        n = len(structure.flatten(template))
        if self._shapes is None:
            return [None] * n
        return [tensor_spec.normalize_shape(s) for s in
                structure.flatten_up_to(template, self._shapes)]

    def _flat_values(self, template):
        n = len(structure.flatten(template))
        if self._values is None or not structure.is_nested(self._values):
            return [self._values] * n
        return structure.flatten_up_to(template, self._values)

    def _elements(self):
        for batch in self._lists():
            template = batch[0]
            shapes = self._flat_shapes(template)
            values = self._flat_values(template)
            columns = zip(*(structure.flatten(e) for e in batch))
            leaves = [_pad_stack(list(column), shape, value, i)
                      for i, (column, shape, value)
                      in enumerate(zip(columns, shapes, values))]
            yield structure.pack_as(template, leaves)


def _target_shape(leaves, shape, component):
    ranks = {leaf.ndim for leaf in leaves}
    if len(ranks) > 1:
        raise ValueError(
            f"Cannot pad tensors of different ranks in component {component}."
            f" Received ranks: {sorted(ranks)}"
        )
    biggest = [max(leaf.shape[d] for leaf in leaves)
               for d in range(leaves[0].ndim)]
    if shape is None:
        return biggest
    if len(shape) != len(biggest):
        raise ValueError(
            f"`padded_shapes` of component {component} has rank {len(shape)}"
            f" but the elements have rank {len(biggest)}. "
            f"Received: padded_shapes={shape}"
        )
    target = [b if s is None else s for s, b in zip(shape, biggest)]
    if any(t < b for t, b in zip(target, biggest)):
        raise ValueError(
            "Attempted to pad to a smaller size than the input element: "
            f"component {component} has shape {tuple(biggest)}. "
            f"Received: padded_shapes={shape}"
        )
    return target


def _pad_stack(leaves, shape, value, component):
    target = _target_shape(leaves, shape, component)
    if structure.is_string_leaf(leaves[0]):
        out = structure.as_string_leaf(np.full(
            [len(leaves)] + target, "" if value is None else value,
            dtype=object))
    else:
        fill = 0 if value is None else value
        if isinstance(fill, (torch.Tensor, np.ndarray)):
            fill = fill.item()  # once per batch, not a training step
        out = torch.full([len(leaves)] + target, fill, dtype=leaves[0].dtype,
                         device=leaves[0].device)
    for i, leaf in enumerate(leaves):
        out[(i,) + tuple(slice(0, d) for d in leaf.shape)] = leaf
    return out


class UnbatchDataset(Dataset):
    """The rows of each element, split along the first axis."""

    def __init__(self, input_dataset):
        self._input = input_dataset

    def _parents(self):
        return (self._input,)

    def _compute_element_spec(self):
        def drop(spec):
            shape = None if spec.shape is None else spec.shape[1:]
            return tensor_spec.TensorSpec(shape, spec.dtype)

        return structure.map_structure(drop, self._input.element_spec)

    def _fixed_order(self):
        return self._input._fixed_order()

    def _elements(self):
        for element in self._input._iterate():
            flat = structure.flatten(element)
            sizes = {structure.first_dim(leaf) for leaf in flat}
            if len(sizes) > 1:
                raise ValueError(
                    "`unbatch` needs all the tensors of an element to have "
                    "the same first dimension. Received shapes: "
                    f"{[tuple(leaf.shape) for leaf in flat]}"
                )
            columns = [structure.unstack_leaf(leaf) for leaf in flat]
            for leaves in zip(*columns):
                yield structure.pack_as(element, leaves)
