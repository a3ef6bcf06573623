"""``utils.Sequence``: a dataset of batches indexed by position.

Subclasses implement ``__len__`` (batches per epoch) and
``__getitem__(index)`` (one batch); ``on_epoch_end`` runs after each epoch.
``fit`` iterates it in order, or in a shuffled batch order with
``shuffle=True``.
"""


class Sequence:
    """Base object for fitting to a sequence of data (tf.keras 2 API).

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted
    for Keras 3's ``PyDataset`` spelling and ignored: batches are produced
    on the calling thread.

    Args:
        workers: Accepted for Keras 3's `PyDataset`; ignored.
        use_multiprocessing: Accepted for Keras 3's `PyDataset`; ignored.
        max_queue_size: Accepted for Keras 3's `PyDataset`; ignored.

    Examples:
        >>> class Batches(keras.utils.Sequence):
        ...     def __len__(self):
        ...         return 2
        ...     def __getitem__(self, index):
        ...         return np.full((4, 3), index), np.zeros((4, 1))
        >>> batches = Batches()
        >>> len(batches), batches[1][0].shape
        (2, (4, 3))
    """

    def __init__(self, workers=1, use_multiprocessing=False,
                 max_queue_size=10):
        self.workers = workers
        self.use_multiprocessing = use_multiprocessing
        self.max_queue_size = max_queue_size

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def on_epoch_end(self):
        """Called at the end of every epoch."""

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


PyDataset = Sequence
