"""The ``Example:`` sections of the preprocessing layers run as doctests."""

import doctest
import importlib

import pytest

MODULES = [
    "category_encoding", "center_crop", "discretization", "hashing",
    "integer_lookup", "normalization", "random_crop", "random_flip",
    "rescaling", "resizing", "string_lookup", "text_vectorization",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(
        f"torchkeras.layers.preprocessing.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0, name
