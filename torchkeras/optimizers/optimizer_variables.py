"""The optimizer's ``learning_rate`` and ``iterations`` variables.

tf.keras code reads and writes them as variables: ``K.set_value(opt.lr,
0.01)`` in a callback, ``opt.learning_rate.assign(...)``,
``opt.iterations.numpy()``. The step itself never reads a tensor (that
would sync the host on CUDA): it reads the Python floats in
``param_groups`` (the single source of truth, which torch's own schedulers
also write) and a Python mirror of the step count. ``base_optimizer``
keeps the variables and those numbers consistent by the tensors' version
counters (``tensor._version`` grows at each in-place write, whatever wrote
it): a write to a variable is seen at the next step for one integer
comparison.

This module owns the learning-rate variable type, which remembers the exact
Python float it was last given (the tensor holds float32, as Keras's does,
so ``float(opt.learning_rate)`` is ``0.001``, not ``0.0010000000474974513``).
"""

import numpy as np
import torch

from torchkeras.backend.variables import Variable


class LearningRateVariable(Variable):
    """A float32 scalar ``Variable`` that also keeps its exact float.

    ``assign`` records the Python float; ``float(v)`` returns it while no
    other in-place write changed the tensor since.
    """

    def assign(self, value):
        value = _as_float(value)
        with torch.no_grad():
            self.fill_(value)
        self._stamp(value)
        return self

    def _stamp(self, value):
        self.__dict__["_exact"] = value
        self.__dict__["_exact_version"] = self._version

    def exact_value(self):
        """The exact float last assigned, or None after a raw write."""
        d = self.__dict__
        if d.get("_exact_version") == self._version:
            return d["_exact"]
        return None

    def __float__(self):
        exact = self.exact_value()
        if exact is not None:
            return exact
        return float(self.detach().cpu().item())

    def __round__(self, ndigits=None):
        return round(float(self), ndigits)

    def __repr__(self):
        return (f"<Variable path={self.path}, shape=(), "
                f"dtype={self.dtype}, value={float(self)}>")


def _as_float(value):
    if isinstance(value, LearningRateVariable):
        return float(value)
    if torch.is_tensor(value):
        value = value.detach().cpu()
    array = np.asarray(value)
    if array.size != 1:
        raise ValueError(
            "The learning rate must be a scalar. Received: value with "
            f"shape {array.shape}"
        )
    return float(array.reshape(()))


def make_learning_rate(value, path):
    """A new learning-rate variable holding ``value`` exactly."""
    var = LearningRateVariable(
        torch.tensor(float(value), dtype=torch.float32),
        requires_grad=False, name="learning_rate", path=path)
    var._stamp(float(value))
    return var


def make_iterations(path, device=None):
    """A new int64 step counter variable at 0."""
    return Variable(torch.zeros((), dtype=torch.int64, device=device),
                    requires_grad=False, name="iteration", path=path)
