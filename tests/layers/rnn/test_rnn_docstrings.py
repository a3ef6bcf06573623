"""The ``Example:`` sections of the recurrent layers run as doctests."""

import doctest
import importlib

import pytest

MODULES = ["bidirectional", "gru", "lstm", "rnn", "simple_rnn",
           "stacked_rnn_cells", "time_distributed"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(f"torchkeras.layers.rnn.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0, name
