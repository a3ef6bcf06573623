"""Element structures: flatten / pack, and conversion of leaves."""

import collections

import numpy as np
import pytest
import torch

from torchkeras.data import structure

Point = collections.namedtuple("Point", ["x", "y"])


def test_flatten_and_pack_round_trip():
    value = ({"b": 1, "a": (2, 3)}, Point(4, [5, 6]), 7)
    flat = structure.flatten(value)
    # Dict entries in sorted-key order; lists are leaves.
    assert flat == [2, 3, 1, 4, [5, 6], 7]
    packed = structure.pack_as(value, flat)
    assert packed == value
    assert type(packed[1]) is Point
    assert list(packed[0]) == ["b", "a"]  # insertion order kept
    with pytest.raises(ValueError, match="Received: 5 leaves"):
        structure.pack_as(value, flat[:5])


def test_dicts_line_up_whatever_their_key_order():
    a = {"x": 1, "y": 2}
    b = {"y": 20, "x": 10}
    assert structure.map_structure(lambda p, q: p + q, a, b) == {
        "x": 11, "y": 22}
    with pytest.raises(TypeError, match="structures do not match"):
        structure.assert_same_structure((1, 2), (1, (2, 3)))


def test_flatten_up_to_treats_lists_as_sequences():
    template = ("a", {"k": "b"})
    assert structure.flatten_up_to(template, ([2], {"k": (None, 3)})) == [
        [2], (None, 3)]
    with pytest.raises(TypeError, match="keys"):
        structure.flatten_up_to(template, ([2], {"j": 1}))
    with pytest.raises(TypeError, match="2 items"):
        structure.flatten_up_to(template, [1, 2, 3])


def test_to_leaf_conversions():
    assert structure.to_leaf(3).dtype == torch.int32
    assert structure.to_leaf(2.5).dtype == torch.float32
    assert structure.to_leaf(np.float64(2.5)).dtype == torch.float64
    assert structure.to_leaf(np.array([1, 2], ">i4")).tolist() == [1, 2]
    words = structure.to_leaf(["a", b"b"])
    assert words.dtype == object and words.tolist() == ["a", b"b"]
    mixed = structure.to_leaf(np.array([1, 2.5], dtype=object))
    assert mixed.dtype == torch.float64
    tensor = torch.ones(2, requires_grad=True)
    assert not structure.to_leaf(tensor).requires_grad
    with pytest.raises(ValueError, match="same shape|share one shape"):
        structure.to_leaf([torch.ones(2), torch.ones(3)])
    with pytest.raises(TypeError, match="numbers or strings"):
        structure.to_leaf(np.array([{"a": 1}], dtype=object))


def test_stack_and_unstack_leaves():
    rows = [torch.tensor([1, 2]), torch.tensor([3, 4])]
    stacked = structure.stack_leaves(rows, 0)
    assert stacked.tolist() == [[1, 2], [3, 4]]
    assert [r.tolist() for r in structure.unstack_leaf(stacked)] == [
        [1, 2], [3, 4]]
    with pytest.raises(TypeError, match="dtypes in component 1"):
        structure.stack_leaves([torch.ones(1), torch.ones(1, dtype=int)], 1)
    strings = structure.unstack_leaf(np.array(["a", "b"], dtype=object))
    assert [s.shape for s in strings] == [(), ()]
    assert structure.to_numpy(strings[1]) == "b"
