"""``tf.config.threading``: torch's intra- and inter-op thread counts."""

import torch


def get_intra_op_parallelism_threads():
    return torch.get_num_threads()


def set_intra_op_parallelism_threads(num_threads):
    """``torch.set_num_threads``; 0 leaves torch's choice."""
    if num_threads:
        torch.set_num_threads(int(num_threads))


def get_inter_op_parallelism_threads():
    return torch.get_num_interop_threads()


def set_inter_op_parallelism_threads(num_threads):
    """``torch.set_num_interop_threads`` (torch allows it once, early)."""
    if num_threads:
        torch.set_num_interop_threads(int(num_threads))
