"""Test utilities for torchkeras layers (``keras.testing``)."""

from torchkeras.testing.test_case import TestCase as TestCase
from torchkeras.testing.test_case import run_layer_test as run_layer_test
