"""The Keras variable: a ``torch.nn.Parameter`` with a Keras name.

Trainable weights are registered on their layer as parameters; non-trainable
ones (BatchNormalization statistics, user state) as buffers. Either way the
object is a ``Variable`` so that ``w.name``, ``w.path``, ``w.numpy()`` and
``w.assign(...)`` behave as in Keras. Layout conversion (Keras kernel layouts
vs torch's) is owned by each layer family, not by the variable.
"""

import copy

import numpy as np
import torch


class Variable(torch.nn.Parameter):
    """A layer weight. Behaves as a tensor; adds Keras's names and methods."""

    def __new__(cls, data=None, requires_grad=True, name=None, path=None):
        if data is None:
            data = torch.empty(0)
        if isinstance(data, torch.nn.Parameter):
            data = data.data
        var = torch.nn.Parameter.__new__(cls, data, requires_grad)
        var._keras_name = name
        var._keras_path = path or name
        return var

    def __init__(self, *args, **kwargs):
        pass

    @property
    def name(self):
        """The full name, ``'dense_1/kernel'`` (as ``model.weights`` show)."""
        return self._keras_path

    @property
    def path(self):
        return self._keras_path

    @property
    def trainable(self):
        return self.requires_grad

    def numpy(self):
        return self.detach().cpu().numpy()

    @property
    def value(self):
        """The tensor itself (Keras 3: ``v.value.grad`` is the gradient)."""
        return self

    def assign(self, value):
        with torch.no_grad():
            self.copy_(torch.as_tensor(np.asarray(value)
                                       if not torch.is_tensor(value)
                                       else value, dtype=self.dtype))
        return self

    def assign_add(self, value):
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype,
                                      device=self.device))
        return self

    def assign_sub(self, value):
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype,
                                      device=self.device))
        return self

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(
            self.data.clone(memory_format=torch.preserve_format),
            self.requires_grad,
            name=self._keras_name,
            path=self._keras_path,
        )
        memo[id(self)] = result
        result.__dict__.update(
            {k: copy.deepcopy(v, memo) for k, v in self.__dict__.items()
             if k not in ("_keras_name", "_keras_path")}
        )
        return result

    def __reduce_ex__(self, proto):
        return (
            _rebuild_variable,
            (self.data, self.requires_grad, self._keras_name,
             self._keras_path),
        )

    def __repr__(self):
        return (f"<Variable path={self._keras_path}, "
                f"shape={tuple(self.shape)}, dtype={self.dtype}>")


def _rebuild_variable(data, requires_grad, name, path):
    return Variable(data, requires_grad, name=name, path=path)
