"""Seeding every random number generator a training run touches."""

import random

import numpy as np
import torch


def set_random_seed(seed):
    """Seeds Python's `random`, NumPy and torch (all devices).

    Args:
        seed: An integer.

    Raises:
        ValueError: if `seed` is not an integer.

    Examples:
        >>> keras.utils.set_random_seed(42)
        >>> first = torch.rand(2)
        >>> keras.utils.set_random_seed(42)
        >>> bool((torch.rand(2) == first).all())
        True
    """
    if not isinstance(seed, int):
        raise ValueError(
            f"Expected `seed` argument to be an integer. Received: seed={seed}"
        )
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
