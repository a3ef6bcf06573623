"""``multi_gpu_model`` (tf.keras 2.0-2.3), kept so old scripts still run.

tf.keras replicated the model on each GPU inside one process and merged the
outputs on the CPU. torchkeras trains data-parallel with
DistributedDataParallel instead: run the same script under
``torchrun --nproc_per_node=N`` and ``fit`` shards the data and averages the
gradients (see ``torchkeras.distribute``). So ``multi_gpu_model`` returns
the model itself, with a warning saying so.
"""

import warnings


def multi_gpu_model(model, gpus=None, cpu_merge=True, cpu_relocation=False):
    """Returns ``model`` unchanged: ``fit`` is already data-parallel.

    Args:
        model: the model to "replicate".
        gpus: an integer >= 2 or a list of at least two GPU ids, as in
            tf.keras (the number of processes comes from ``torchrun``).
        cpu_merge: accepted (nothing is merged on the CPU).
        cpu_relocation: accepted (the weights stay where they are).

    Returns:
        The same model object.

    Raises:
        ValueError: if `gpus` names fewer than two GPUs.

    Examples:
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     same = keras.utils.multi_gpu_model(model, gpus=2)
        >>> same is model, len(caught)
        (True, 1)
    """
    count = len(gpus) if isinstance(gpus, (list, tuple)) else gpus
    if count is None or count <= 1:
        raise ValueError(
            "For multi-gpu usage to be effective, call `multi_gpu_model` "
            f"with `gpus >= 2`. Received: gpus={gpus!r}"
        )
    warnings.warn(
        "`multi_gpu_model` is deprecated (removed in TensorFlow 2.4). "
        "torchkeras returns the model unchanged: run this script under "
        f"`torchrun --nproc_per_node={count}` and `fit` trains it "
        "data-parallel with DistributedDataParallel, one process per GPU.",
        UserWarning, stacklevel=2)
    return model
