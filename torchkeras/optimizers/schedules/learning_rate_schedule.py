"""Keras learning-rate schedules: a learning rate as a function of the step.

Owns ``LearningRateSchedule`` and the built-in schedules of
``keras.optimizers.schedules`` with Keras 3's formulas and config keys, and
their ``serialize``/``deserialize``. Every schedule takes a Python int step
(the optimizer passes its host-side step counter) and returns a Python float,
so that evaluating it never waits on a device; it also takes a tensor step
and returns a ``float32`` tensor, as Keras does. The optimizers
(``base_optimizer.py``) decide when a schedule is evaluated.
"""

import math

import torch

from torchkeras.backend import config as backend_config
from torchkeras.utils import serialization
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.schedules.LearningRateSchedule")
class LearningRateSchedule:
    """The learning rate schedule base class.

    A schedule is a callable ``schedule(step) -> learning_rate``; pass one as
    the ``learning_rate`` of any optimizer. Subclasses implement
    ``__call__(step)`` and, to be serializable, ``get_config()``.

    Examples:
        >>> class MyLRSchedule(LearningRateSchedule):
        ...     def __init__(self, initial_learning_rate):
        ...         self.initial_learning_rate = initial_learning_rate
        ...     def __call__(self, step):
        ...         return self.initial_learning_rate / (step + 1)
        >>> MyLRSchedule(0.1)(4)
        0.02
    """

    def __call__(self, step):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `__call__(self, step)`."
        )

    def get_config(self):
        raise NotImplementedError(
            f"Learning rate schedule '{self.__class__.__name__}' "
            "must override `get_config()` in order to be serializable."
        )

    @classmethod
    def from_config(cls, config):
        """Instantiates a schedule from the output of ``get_config()``."""
        return cls(**config)


# Helpers that take either Python numbers or tensors, so each formula below
# is written once and keeps a Python step on the host.


def _is_tensor(x):
    return isinstance(x, torch.Tensor)


def _cast_step(step):
    if _is_tensor(step):
        return step.to(backend_config.to_torch_dtype(backend_config.floatx()))
    return float(step)


def _floor(x):
    return torch.floor(x) if _is_tensor(x) else float(math.floor(x))


def _ceil(x):
    return torch.ceil(x) if _is_tensor(x) else float(math.ceil(x))


def _cos(x):
    return torch.cos(x) if _is_tensor(x) else math.cos(x)


def _log(x):
    return torch.log(x) if _is_tensor(x) else math.log(x)


def _minimum(x, limit):
    return torch.clamp(x, max=limit) if _is_tensor(x) else min(x, limit)


def _where(cond, a, b):
    if _is_tensor(cond):
        return torch.where(cond, a, b)
    return a if cond else b


def _check_positive(name, value):
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: "
                         f"{name}={value}")


class _StepRatioDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments,
    config, and the ratio ``step / decay_steps`` (floored with
    ``staircase``) that each turns into a rate its own way."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase, name):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def _ratio(self, step):
        p = _cast_step(step) / float(self.decay_steps)
        return _floor(p) if self.staircase else p

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "decay_rate": self.decay_rate,
            "staircase": self.staircase,
            "name": self.name,
        }


@keras_export("keras.optimizers.schedules.ExponentialDecay")
class ExponentialDecay(_StepRatioDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``.

    With ``staircase=True`` the exponent is ``floor(step / decay_steps)``.

    Args:
        initial_learning_rate: A Python float. The initial learning rate.
        decay_steps: A Python int, > 0.
        decay_rate: A Python float. The decay rate.
        staircase: Boolean. If `True`, decay at discrete intervals.
        name: String. Defaults to `"ExponentialDecay"`.

    Examples:
        >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)(20)
        0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name="ExponentialDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate,
                         staircase, name)

    def __call__(self, step):
        return float(self.initial_learning_rate) * (
            float(self.decay_rate) ** self._ratio(step))


@keras_export("keras.optimizers.schedules.PiecewiseConstantDecay")
class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

    Args:
        boundaries: A list of strictly increasing Python numbers.
        values: A list of Python numbers, one longer than `boundaries`.
        name: String. Defaults to `"PiecewiseConstant"`.

    Examples:
        >>> schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
        >>> schedule(10), schedule(11), schedule(21)
        (1.0, 0.5, 0.1)
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(
                "The length of boundaries should be 1 less than the length of "
                f"values. Received: boundaries={boundaries} of length "
                f"{len(boundaries)}, and values={values} "
                f"of length {len(values)}."
            )
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        if _is_tensor(step):
            # Keras casts the boundaries to the step's dtype.
            bounds = torch.tensor(self.boundaries, device=step.device)
            index = (step.unsqueeze(-1) > bounds.to(step.dtype)).sum(-1)
            values = torch.tensor(
                self.values, device=step.device,
                dtype=backend_config.to_torch_dtype(backend_config.floatx()),
            )
            return values[index]
        for boundary, value in zip(self.boundaries, self.values):
            if isinstance(step, int):
                boundary = int(boundary)
            if step <= boundary:
                return float(value)
        return float(self.values[-1])

    def get_config(self):
        return {
            "boundaries": self.boundaries,
            "values": self.values,
            "name": self.name,
        }


@keras_export("keras.optimizers.schedules.PolynomialDecay")
class PolynomialDecay(LearningRateSchedule):
    """Polynomial decay from `initial_learning_rate` to `end_learning_rate`.

    ``(initial - end) * (1 - min(step, decay_steps) / decay_steps) ** power
    + end``. With ``cycle=True``, `decay_steps` is replaced by its first
    multiple that is at least `step`.

    Args:
        initial_learning_rate: A Python float. The initial learning rate.
        decay_steps: A Python int, > 0.
        end_learning_rate: A Python float. Defaults to `0.0001`.
        power: A Python float. Defaults to `1.0`.
        cycle: Boolean, whether to cycle beyond `decay_steps`.
        name: String. Defaults to `"PolynomialDecay"`.

    Examples:
        >>> PolynomialDecay(0.1, 10, end_learning_rate=0.0)(5)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps,
                 end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _cast_step(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiplier = _where(step == 0, 1.0, _ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = _minimum(step, decay_steps)
        p = step / decay_steps
        initial = float(self.initial_learning_rate)
        end = float(self.end_learning_rate)
        return (initial - end) * (1 - p) ** float(self.power) + end

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


@keras_export("keras.optimizers.schedules.InverseTimeDecay")
class InverseTimeDecay(_StepRatioDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``.

    With ``staircase=True`` the ratio ``step / decay_steps`` is floored.

    Args:
        initial_learning_rate: A Python float. The initial learning rate.
        decay_steps: How often to apply decay, > 0.
        decay_rate: A Python number. The decay rate.
        staircase: Boolean. Whether to decay in a staircase fashion.
        name: String. Defaults to `"InverseTimeDecay"`.

    Examples:
        >>> InverseTimeDecay(0.1, decay_steps=1.0, decay_rate=0.5)(2)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate,
                 staircase=False, name="InverseTimeDecay"):
        super().__init__(initial_learning_rate, decay_steps, decay_rate,
                         staircase, name)

    def __call__(self, step):
        return float(self.initial_learning_rate) / (
            1.0 + float(self.decay_rate) * self._ratio(step))


def _cosine_factor(fraction, alpha):
    """``(1 - alpha) * 0.5 * (1 + cos(pi * fraction)) + alpha``."""
    cosine = 0.5 * (1.0 + _cos(math.pi * fraction))
    return (1.0 - alpha) * cosine + alpha


@keras_export("keras.optimizers.schedules.CosineDecay")
class CosineDecay(LearningRateSchedule):
    """Cosine decay, after an optional linear warmup.

    Without `warmup_target`, decays from `initial_learning_rate` to
    `initial_learning_rate * alpha` over `decay_steps`. With it, first rises
    linearly from `initial_learning_rate` to `warmup_target` over
    `warmup_steps`, then decays from `warmup_target` to
    `warmup_target * alpha` over `decay_steps`.

    Args:
        initial_learning_rate: A Python float. The initial learning rate.
        decay_steps: A Python int, > 0. Number of steps to decay over.
        alpha: A Python float. Minimum learning rate, as a fraction.
        name: String. Defaults to `"CosineDecay"`.
        warmup_target: A Python float or `None` (no warmup).
        warmup_steps: A Python int. Number of steps to warm up over.

    Examples:
        >>> round(CosineDecay(0.1, decay_steps=10)(5), 6)
        0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0,
                 name="CosineDecay", warmup_target=None, warmup_steps=0):
        _check_positive("decay_steps", decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target

    def __call__(self, step):
        step = _cast_step(step)
        initial = float(self.initial_learning_rate)
        decay_steps = float(self.decay_steps)
        alpha = float(self.alpha)
        if self.warmup_target is None:
            step = _minimum(step, decay_steps)
            return initial * _cosine_factor(step / decay_steps, alpha)
        target = float(self.warmup_target)
        warmup_steps = float(self.warmup_steps)
        step = _minimum(step, decay_steps + warmup_steps)
        decayed = target * _cosine_factor(
            (step - warmup_steps) / decay_steps, alpha
        )
        if not _is_tensor(step):
            if step < warmup_steps:
                return (target - initial) * (step / warmup_steps) + initial
            return decayed
        # A tensor step evaluates both branches; with no warmup the unused
        # one is 0 / 0, which `where` discards.
        warm = (target - initial) * (step / warmup_steps) + initial
        return torch.where(step < warmup_steps, warm, decayed)

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


@keras_export("keras.optimizers.schedules.CosineDecayRestarts")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR).

    The multiplier decays from 1 to `alpha` over `first_decay_steps`, then
    restarts; each period is `t_mul` times longer and starts `m_mul` times
    lower than the one before.

    Args:
        initial_learning_rate: A Python float. The initial learning rate.
        first_decay_steps: A Python int, > 0. Length of the first period.
        t_mul: A Python float. Period length factor. Defaults to `2.0`.
        m_mul: A Python float. Restart value factor. Defaults to `1.0`.
        alpha: A Python float. Minimum learning rate, as a fraction.
        name: String. Defaults to `"SGDRDecay"`.

    Examples:
        >>> CosineDecayRestarts(0.1, first_decay_steps=10)(10)
        0.1
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0,
                 m_mul=1.0, alpha=0.0, name="SGDRDecay"):
        _check_positive("first_decay_steps", first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def _restart_and_fraction(self, fraction):
        t_mul = float(self._t_mul)
        if t_mul == 1.0:
            i_restart = _floor(fraction)
            return i_restart, fraction - i_restart
        i_restart = _floor(
            _log(1.0 - fraction * (1.0 - t_mul)) / math.log(t_mul)
        )
        sum_r = (1.0 - t_mul ** i_restart) / (1.0 - t_mul)
        return i_restart, (fraction - sum_r) / t_mul ** i_restart

    def __call__(self, step):
        fraction = _cast_step(step) / float(self.first_decay_steps)
        i_restart, fraction = self._restart_and_fraction(fraction)
        m_fac = float(self._m_mul) ** i_restart
        cosine = 0.5 * m_fac * (1.0 + _cos(math.pi * fraction))
        alpha = float(self.alpha)
        decayed = (1.0 - alpha) * cosine + alpha
        return float(self.initial_learning_rate) * decayed

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


# The schedule classes by name: those registered above.
ALL_OBJECTS_DICT = serialization.name_table("keras.optimizers.schedules",
                                            classes_only=True)


@keras_export("keras.optimizers.schedules.serialize")
def serialize(learning_rate_schedule):
    """Returns the Keras 3 config dict of a `LearningRateSchedule`.

    Args:
        learning_rate_schedule: The schedule to serialize.

    Returns:
        A dict with `module`, `class_name`, `config` and `registered_name`.

    Examples:
        >>> schedule = keras.optimizers.schedules.InverseTimeDecay(0.1, 1, 0.5)
        >>> keras.optimizers.schedules.serialize(schedule)["class_name"]
        'InverseTimeDecay'
    """
    cls = type(learning_rate_schedule)
    registered = serialization.get_registered_name(cls)
    builtin = ALL_OBJECTS_DICT.get(cls.__name__) is cls
    return {
        "module": "keras.optimizers.schedules" if builtin else None,
        "class_name": cls.__name__,
        "config": learning_rate_schedule.get_config(),
        "registered_name": None if builtin else registered,
    }


@keras_export("keras.optimizers.schedules.deserialize")
def deserialize(config, custom_objects=None):
    """Returns the `LearningRateSchedule` a config dict describes.

    Accepts Keras 3 configs (with `module`/`registered_name`) and tf.keras
    2 configs (`class_name` and `config` only).

    Args:
        config: The schedule's config dict.
        custom_objects: Optional dict mapping names to user-defined
            classes or functions, looked up before the built-in ones.

    Returns:
        A `LearningRateSchedule` instance.

    Examples:
        >>> schedule = keras.optimizers.schedules.deserialize(
        ...     {"class_name": "ExponentialDecay",
        ...      "config": {"initial_learning_rate": 0.1, "decay_steps": 10,
        ...                 "decay_rate": 0.5}})
        >>> float(schedule(10))
        0.05
    """
    return serialization.deserialize_keras_object(
        config,
        module_objects=ALL_OBJECTS_DICT,
        custom_objects=custom_objects,
        printable_module_name="decay",
    )
