"""LossScaleOptimizer: dynamic loss scaling for float16 training.

Wraps another optimizer (a torchkeras optimizer or any
``torch.optim.Optimizer``). The training step multiplies the loss by the
current scale before ``backward`` (``scale_loss``); ``step()`` unscales the
gradients in place and checks them for inf/nan with torch's fused AMP
kernels (those of ``torch.amp.GradScaler``), then either runs the inner
optimizer's step or skips it, and updates the scale on the device: halved
after a non-finite step, doubled after ``dynamic_growth_steps`` finite ones
(Keras 3's rule). The parameter groups and state are the inner optimizer's.

Deciding whether to skip needs one host read of a 0-dim flag per step, as
``GradScaler.step`` does: the inner optimizer's learning-rate schedule and
bias corrections follow its step count on the host. Only float16 training
uses dynamic scaling (``mixed_bfloat16`` needs none), and a fixed scale
(tf.keras 2 ``dynamic=False``) never reads the flag.
"""

import numbers

import numpy as np
import torch

from torchkeras import optimizers
from torchkeras.optimizers import optimizer_state
from torchkeras.optimizers.base_optimizer import Optimizer
from torchkeras.utils.registry import keras_export

_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None,
    "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
    "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


@keras_export("keras.optimizers.LossScaleOptimizer",
              "keras.mixed_precision.LossScaleOptimizer")
class LossScaleOptimizer(Optimizer):
    """An optimizer that dynamically scales the loss to prevent underflow.

    Loss scaling multiplies the loss by a factor (the loss scale) so that
    small float16 gradients do not underflow, and divides the gradients by
    it before the update. With ``dynamic=True`` (the default) the scale is
    halved and the step skipped whenever a gradient is inf or nan, and
    doubled after ``dynamic_growth_steps`` consecutive finite steps.
    ``compile`` wraps the optimizer in one automatically under the
    ``'mixed_float16'`` policy, as Keras does.

    Args:
        inner_optimizer: the optimizer to wrap (an instance or a name).
        initial_scale: the first loss scale; default ``2**15`` (dynamic).
            Required with ``dynamic=False``.
        dynamic_growth_steps: after this many finite steps in a row the
            scale doubles; default 2000.
        name: the optimizer's name.
        dynamic: tf.keras 2: ``False`` keeps ``initial_scale`` fixed and
            never skips a step.

    Raises:
        TypeError: if `inner_optimizer` is not an optimizer.
        ValueError: for a non-positive scale or growth step count, a base
            optimizer argument (set it on the inner optimizer), or a
            LossScaleOptimizer as inner optimizer.

    Examples:
        >>> import torch
        >>> import torchkeras as keras
        >>> opt = keras.mixed_precision.LossScaleOptimizer(
        ...     keras.optimizers.SGD(0.1))
        >>> float(opt.scale_loss(torch.ones(())))
        32768.0
    """

    def __init__(self, inner_optimizer, initial_scale=None,
                 dynamic_growth_steps=None, name=None, dynamic=True,
                 **kwargs):
        _check_base_kwargs(kwargs)
        inner_optimizer = _check_inner(inner_optimizer)
        initial_scale, dynamic_growth_steps = _check_scale_arguments(
            bool(dynamic), initial_scale, dynamic_growth_steps)
        # Set first: the base __init__ reads `defaults` (the inner's).
        self.inner_optimizer = inner_optimizer
        super().__init__(learning_rate=0.0, name=name)
        self.dynamic = bool(dynamic)
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        if isinstance(inner_optimizer, Optimizer):
            # The inner optimizer must not unscale a second time.
            inner_optimizer.loss_scale_factor = None
        self._scale = torch.tensor(float(initial_scale), dtype=torch.float32)
        self._step_counter = torch.zeros((), dtype=torch.int32)

    # ------------------------------------------------------------------
    # What the inner optimizer owns.

    @property
    def param_groups(self):
        return self.inner_optimizer.param_groups

    @param_groups.setter
    def param_groups(self, value):
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.param_groups = value

    @property
    def state(self):
        return self.inner_optimizer.state

    @state.setter
    def state(self, value):
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.state = value

    @property
    def defaults(self):
        return self.inner_optimizer.defaults

    @defaults.setter
    def defaults(self, value):
        if "inner_optimizer" in self.__dict__:
            self.inner_optimizer.defaults = value

    @property
    def learning_rate(self):
        inner = self.inner_optimizer
        if hasattr(inner, "learning_rate"):
            return inner.learning_rate
        return inner.param_groups[0]["lr"]

    @learning_rate.setter
    def learning_rate(self, value):
        inner = self.__dict__.get("inner_optimizer")
        if inner is None:  # the base __init__ sets its own 0.0
            return
        if hasattr(inner, "learning_rate"):
            inner.learning_rate = value
        else:
            for group in inner.param_groups:
                group["lr"] = float(value)

    lr = learning_rate

    @property
    def iterations(self):
        """The inner optimizer's step count (skipped steps not counted)."""
        return getattr(self.inner_optimizer, "iterations", self._iterations)

    @iterations.setter
    def iterations(self, value):
        if hasattr(self.inner_optimizer, "iterations"):
            self.inner_optimizer.iterations = value

    # ------------------------------------------------------------------
    # Loss scale.

    @property
    def dynamic_scale(self):
        """The current loss scale, a 0-dim float32 tensor (Keras 3)."""
        return self._scale

    loss_scale = dynamic_scale  # tf.keras 2 name.

    @property
    def step_counter(self):
        """Finite steps since the scale last changed (Keras 3)."""
        return self._step_counter

    @property
    def dynamic_counter(self):
        """tf.keras 2: the step counter, or None with a fixed scale."""
        return self._step_counter if self.dynamic else None

    def scale_loss(self, loss):
        """``loss`` times the current loss scale (call before backward)."""
        if torch.is_tensor(loss):
            return loss * self._scale.to(loss.device)
        return loss * float(self._scale)

    def get_scaled_loss(self, loss):
        """tf.keras 2 spelling of `scale_loss` (a callable stays one)."""
        if callable(loss) and not torch.is_tensor(loss):
            return lambda: self.scale_loss(loss())
        return self.scale_loss(loss)

    def get_unscaled_gradients(self, grads):
        """tf.keras 2: each gradient divided by the loss scale."""
        return [None if g is None else g / self._scale.to(g.device)
                for g in grads]

    def check_finite(self, grads):
        """A 0-dim bool tensor: True when every gradient is finite."""
        flags = [torch.isfinite(g).all() for g in grads if g is not None]
        if not flags:
            return torch.tensor(True)
        return torch.stack([f.to(flags[0].device) for f in flags]).all()

    # ------------------------------------------------------------------
    # Building and stepping.

    def build(self, var_list):
        """Builds the inner optimizer on `var_list` (a torch one is kept)."""
        inner = self.inner_optimizer
        if isinstance(inner, Optimizer):
            inner.build(var_list)
        params = [p for g in self.param_groups for p in g["params"]]
        if params:
            device = params[0].device
            self._scale = self._scale.to(device)
            self._step_counter = self._step_counter.to(device)
            if self._iterations.device != device:
                self._iterations.data = self._iterations.data.to(device)
                self._iterations_version = self._iterations._version
        self.built = True

    def add_param_group(self, param_group):
        self.inner_optimizer.add_param_group(param_group)

    @torch.no_grad()
    def step(self, closure=None):
        """Unscales the gradients; steps unless one is inf/nan (dynamic)."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}' is not built. Call "
                "`optimizer.build(trainable_parameters)` (or compile the "
                "model) before `step()`. Received: built=False"
            )
        grads = [p.grad for g in self.param_groups for p in g["params"]
                 if p.grad is not None]
        if not grads:
            return loss
        found_inf = self._unscale_(grads)
        if not self.dynamic:
            self.inner_optimizer.step()
            return loss
        if not found_inf.item():  # the one host read (see module doc)
            self.inner_optimizer.step()
        torch._amp_update_scale_(self._scale, self._step_counter, found_inf,
                                 2.0, 0.5, self.dynamic_growth_steps)
        return loss

    def _unscale_(self, grads):
        """Multiplies ``grads`` by 1/scale in place; a 0-dim inf/nan flag."""
        groups = {}
        for g in grads:
            groups.setdefault((g.device, g.dtype), []).append(g)
        inv_scale = self._scale.double().reciprocal().float()
        flags = []
        for (device, _), tensors in groups.items():
            found = torch.zeros((), dtype=torch.float32, device=device)
            torch._amp_foreach_non_finite_check_and_unscale_(
                tensors, found, inv_scale.to(device))
            flags.append(found)
        found_inf = flags[0]
        for flag in flags[1:]:
            found_inf = found_inf + flag.to(found_inf.device)
        return found_inf.to(self._scale.device)

    def apply(self, grads, trainable_variables=None):
        """Keras 3 ``apply``; the caller's gradient tensors are kept."""
        grads = [None if g is None else g.clone() for g in grads]
        return super().apply(grads, trainable_variables)

    def finalize_variable_values(self, var_list=None):
        finalize = getattr(self.inner_optimizer, "finalize_variable_values",
                           None)
        if finalize is not None:
            finalize(var_list)

    # ------------------------------------------------------------------
    # Variables, state and config.

    @property
    def variables(self):
        """Keras 3 order: own iterations, learning rate (0), step counter,
        loss scale, then the inner optimizer's variables."""
        own = [self._iterations, torch.zeros((), dtype=torch.float32),
               self._step_counter, self._scale]
        return own + list(getattr(self.inner_optimizer, "variables", []))

    def _planned_assignment(self, values):
        """Checks the wrapper's values and the inner optimizer's first;
        returns what assigns them all (see `Optimizer`'s)."""
        values = list(values)
        if len(values) < 4:
            raise ValueError(
                f"Optimizer '{self.name}' expects at least 4 variables. "
                f"Received: {len(values)} values"
            )
        counter = optimizer_state.checked_iterations(self.name, values[2])
        scale = np.asarray(values[3])
        if scale.size != 1 or scale.dtype.kind not in "iuf" or not (
                np.isfinite(scale).all() and (scale > 0).all()):
            raise ValueError(
                f"Optimizer '{self.name}': the loss scale must be a finite "
                f"positive number. Received: scale={str(values[3])[:50]}"
            )
        scale = float(scale.reshape(()))
        assign_inner = None
        if isinstance(self.inner_optimizer, Optimizer):
            assign_inner = self.inner_optimizer._planned_assignment(
                values[4:])

        def assign():
            with torch.no_grad():
                self._step_counter.fill_(counter)
                self._scale.fill_(scale)
            if assign_inner is not None:
                assign_inner()

        return assign

    def state_dict(self):
        """The inner optimizer's ``state_dict`` plus ``'loss_scale'``."""
        state_dict = self.inner_optimizer.state_dict()
        state_dict["loss_scale"] = {
            "scale": float(self._scale),
            "step_counter": int(self._step_counter),
        }
        return state_dict

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        own = state_dict.pop("loss_scale", None)
        self.inner_optimizer.load_state_dict(state_dict)
        if own is not None:
            self._scale.fill_(own["scale"])
            self._step_counter.fill_(own["step_counter"])

    def get_config(self):
        config = {
            "name": self.name,
            "inner_optimizer": optimizers.serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }
        if not self.dynamic:
            config["dynamic"] = False
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"),
                                       custom_objects=custom_objects)
        return cls(inner, **config)


def _check_base_kwargs(kwargs):
    for key, default in _BASE_DEFAULTS.items():
        if key in kwargs and kwargs.pop(key) != default:
            raise ValueError(
                f"LossScaleOptimizer does not support `{key}`. Instead, set "
                f"`{key}` on the `inner_optimizer`. Received: {key}=..."
            )
    if kwargs:
        raise ValueError(
            "LossScaleOptimizer does not support arguments: "
            f"{sorted(kwargs)}. Received: {kwargs}"
        )


def _check_inner(inner_optimizer):
    if isinstance(inner_optimizer, (str, dict)):
        inner_optimizer = optimizers.get(inner_optimizer)
    if isinstance(inner_optimizer, LossScaleOptimizer):
        raise ValueError(
            "LossScaleOptimizer cannot wrap another LossScaleOptimizer. "
            f"Received: inner_optimizer={inner_optimizer.name!r}"
        )
    if not isinstance(inner_optimizer, torch.optim.Optimizer):
        raise TypeError(
            "LossScaleOptimizer's `inner_optimizer` must be an optimizer "
            "(a torchkeras optimizer or a torch.optim.Optimizer). "
            f"Received: inner_optimizer={inner_optimizer!r}"
        )
    return inner_optimizer


def _check_scale_arguments(dynamic, initial_scale, growth_steps):
    if isinstance(initial_scale, bool) or (
            initial_scale is not None
            and not isinstance(initial_scale, numbers.Real)):
        raise TypeError(
            "`initial_scale` must be a number (pass tf.keras 2's `dynamic` "
            f"by keyword). Received: initial_scale={initial_scale!r}"
        )
    if not dynamic:
        if initial_scale is None:
            raise ValueError(
                "`initial_scale` must be specified if `dynamic` is False. "
                "Received: initial_scale=None"
            )
        if growth_steps is not None:
            raise ValueError(
                "`dynamic_growth_steps` must be None if `dynamic` is False. "
                f"Received: dynamic_growth_steps={growth_steps!r}"
            )
    initial_scale = 2.0**15 if initial_scale is None else initial_scale
    if not initial_scale > 0:
        raise ValueError(
            "`initial_scale` must be a positive number. "
            f"Received: initial_scale={initial_scale!r}"
        )
    if not dynamic:
        return float(initial_scale), None
    growth_steps = 2000 if growth_steps is None else growth_steps
    if not isinstance(growth_steps, numbers.Integral) or growth_steps < 1:
        raise ValueError(
            "`dynamic_growth_steps` must be a positive integer. "
            f"Received: dynamic_growth_steps={growth_steps!r}"
        )
    return float(initial_scale), int(growth_steps)
