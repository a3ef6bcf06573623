"""Which process may write files: the callbacks' view of the rank.

Callbacks that write files (checkpoints, CSV logs, TensorBoard events,
backups) do so only on the main process of a distributed run. The rank
itself belongs to `torchkeras.distribute`, the single owner of
`torch.distributed`; this module only asks it.
"""

from torchkeras import distribute


def is_main_process():
    """True unless torch.distributed is initialised and the rank is not 0."""
    return distribute.is_main_process()
