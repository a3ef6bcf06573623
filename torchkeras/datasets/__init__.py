"""Datasets with Keras's ``load_data`` signatures."""

from torchkeras.datasets import digits as digits
