"""The ``Example:`` sections of the attention layers run as doctests."""

import doctest
import importlib

import pytest

MODULES = ["additive_attention", "attention", "multi_head_attention"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"torchkeras.layers.attention.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0, name
