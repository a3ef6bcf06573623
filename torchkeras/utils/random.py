"""Seeding every random number generator a training run touches."""

import random

import numpy as np
import torch


def set_random_seed(seed):
    """Seeds Python's ``random``, NumPy and torch (all devices)."""
    if not isinstance(seed, int):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed}"
        )
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
