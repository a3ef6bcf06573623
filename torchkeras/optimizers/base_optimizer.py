"""The Keras optimizer base class, as a ``torch.optim.Optimizer``.

Owns what every Keras optimizer shares: argument checks, the learning rate
(a float, a ``LearningRateSchedule`` or a callable), the step counter
``iterations``, building on a list of parameters, the order of one step
(loss-scale, gradient accumulation, clipping, weight decay, the rule, EMA,
``iterations += 1``), Keras's variable order for saving, configs, and the
torch ``state_dict`` round trip. Each subclass (``adam.py``, ``sgd.py``, ...)
declares its slots and implements ``_update_step`` with ``torch._foreach_*``
ops; clipping lives in ``clipping.py``, argument handling and torch-style
construction in ``arguments.py``, saving and state dicts in
``optimizer_state.py``.

Lifecycle. Keras users build an optimizer before the model has weights::

    opt = Adam(learning_rate=1e-3)     # no parameters yet
    opt.build(model.parameters())      # the engine does this at compile/fit

Only ``build`` runs ``torch.optim.Optimizer.__init__``. torch-style
``Adam(model.parameters(), lr=1e-3)`` builds at once. Building again with the
same parameters does nothing; with other parameters the slots of parameters
that stay are kept, new ones start fresh, and ``iterations`` carries on.

No host syncs in ``step()``: the learning rate and every step-dependent
coefficient (bias corrections, Nadam's momentum cache) are Python floats
computed from a Python mirror of ``iterations``; ``iterations`` itself is a
0-dim int64 ``Variable`` incremented on its device. ``learning_rate`` is a
float32 ``Variable`` (with a schedule: its current value), as in Keras;
writes to either variable (``assign``, ``K.set_value``) are picked up at
the next step through the tensors' version counters
(``optimizer_variables``).

Variable order (``variables``, ``save_own_variables``), as Keras 3.15's
``optimizer.variables`` (and its golden files in ``tests/saving/golden``):
``iterations``; ``learning_rate`` when it is a float (not a schedule); then
every ``average`` (``use_ema``), then every ``gradient_accumulator``
(``gradient_accumulation_steps``); then the optimizer's slots in the groups
``_keras_slot_groups`` gives, one ``add_optimizer_variables`` call of
Keras's ``build`` each: within a group the slots interleave per parameter
(Adam: ``m_0, v_0, m_1, v_1, ...``, then every ``velocity_hat``), groups
follow one another (RMSprop: every velocity, then every momentum); then
scalar extras (Nadam's ``u_product``). ``optimizer_state`` maps this list to
Keras files (Keras layouts, tf.keras 2's order).
"""

import collections
import numbers
import re
import warnings

import torch
from torch.optim import optimizer as torch_optimizer

from torchkeras.backend import global_state
from torchkeras.optimizers import arguments
from torchkeras.optimizers import clipping
from torchkeras.optimizers import optimizer_state
from torchkeras.optimizers import optimizer_variables
from torchkeras.optimizers.schedules import learning_rate_schedule
from torchkeras.utils import naming
from torchkeras.utils import serialization
from torchkeras.utils.registry import keras_export


@keras_export("keras.optimizers.Optimizer")
class Optimizer(
    optimizer_state.KerasVariablesMixin,
    torch.optim.Optimizer,
    metaclass=arguments.OptimizerMeta,
):
    """Base class of the Keras optimizers, a `torch.optim.Optimizer`.

    Subclasses implement Keras 3's update rules exactly (not torch.optim's)
    and vectorise them over all parameters of a group with
    ``torch._foreach_*`` ops.

    Args:
        learning_rate: A float, a
            `keras.optimizers.schedules.LearningRateSchedule`, or a callable
            that takes no arguments and returns a float.
        weight_decay: Float. If set, ``var -= var * weight_decay * lr``
            before each update.
        clipnorm: Float. If set, each gradient is clipped to this norm.
        clipvalue: Float. If set, each gradient element is clipped to
            ``[-clipvalue, clipvalue]``.
        global_clipnorm: Float. If set, all gradients are scaled so that
            their global norm is at most this value.
        use_ema: Boolean. Whether to keep an exponential moving average of
            the weights.
        ema_momentum: Float in ``[0, 1]``, the EMA momentum.
        ema_overwrite_frequency: Int or None. Every this many steps the
            weights are overwritten with their moving average.
        loss_scale_factor: Float or None. Gradients are divided by it before
            the update; ``scale_loss(loss)`` multiplies the loss by it.
        gradient_accumulation_steps: Int >= 2 or None. Update the weights
            every this many steps, with the mean of the gradients since the
            last update.
        name: String, the optimizer's name.
        lr: tf.keras 2 alias of `learning_rate`.
        decay: tf.keras 2 (legacy optimizers) learning-rate decay: the
            learning rate used at step ``t`` is ``lr / (1 + decay * t)``.

    Raises:
        ValueError: for a negative or non-numeric argument, for more than
            one of `clipnorm`, `clipvalue` and `global_clipnorm`, or for an
            unknown keyword argument.

    Examples:
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = keras.optimizers.SGD(learning_rate=0.1, clipnorm=1.0)
        >>> isinstance(opt, torch.optim.Optimizer)
        True
        >>> opt.build([w])
        >>> w.grad = torch.tensor([2.0])  # clipped to norm 1.0
        >>> opt.step()
        >>> round(w.item(), 4)
        0.9
    """

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        if kwargs.get("lr") is not None:
            learning_rate = kwargs.pop("lr")
        kwargs.pop("lr", None)
        decay = kwargs.pop("decay", None)
        for key in arguments.IGNORED_TF2_KWARGS:
            kwargs.pop(key, None)
        if kwargs:
            raise ValueError(
                f"Argument(s) not recognized by {type(self).__name__}. "
                f"Received: {kwargs}"
            )
        if name is None:
            name = global_state.unique_name(
                naming.to_snake_case(type(self).__name__)
            )
        self.name = name
        self._check_base_arguments(
            weight_decay, clipnorm, clipvalue, global_clipnorm, decay,
            loss_scale_factor, gradient_accumulation_steps,
        )
        self._check_ema_arguments(
            use_ema, ema_momentum, ema_overwrite_frequency
        )
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = bool(use_ema)
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.decay = float(decay or 0.0)
        self._learning_rate = arguments.standardize_learning_rate(
            learning_rate
        )
        self._init_unbuilt_state()

    def _check_base_arguments(
        self, weight_decay, clipnorm, clipvalue, global_clipnorm, decay,
        loss_scale_factor, gradient_accumulation_steps,
    ):
        for arg_name, value in (
            ("weight_decay", weight_decay),
            ("clipnorm", clipnorm),
            ("clipvalue", clipvalue),
            ("global_clipnorm", global_clipnorm),
            ("decay", decay),
        ):
            arguments.check_non_negative(arg_name, value)
        if sum(a is not None for a in (clipnorm, clipvalue,
                                        global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` "
                f"can be set. Received: clipnorm={clipnorm}, "
                f"clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        if loss_scale_factor is not None and not loss_scale_factor > 0:
            raise ValueError(
                "Argument `loss_scale_factor` must be a positive float or "
                f"None. Received: loss_scale_factor={loss_scale_factor!r}"
            )
        steps = gradient_accumulation_steps
        if steps is not None and (
            not isinstance(steps, numbers.Integral) or steps < 2
        ):
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. "
                f"Received: gradient_accumulation_steps={steps!r}"
            )

    def _check_ema_arguments(self, use_ema, ema_momentum, frequency):
        if not use_ema:
            return
        if not 0 <= ema_momentum <= 1:
            raise ValueError(
                "`ema_momentum` must be in the range [0, 1]. "
                f"Received: ema_momentum={ema_momentum}"
            )
        if frequency is not None and (
            not isinstance(frequency, numbers.Integral) or frequency < 1
        ):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                f"Received: ema_overwrite_frequency={frequency!r}"
            )

    def _init_unbuilt_state(self):
        # torch.optim.Optimizer.__init__ runs in build(); until then these
        # keep repr(), zero_grad() and introspection working.
        self.built = False
        # torch's __setstate__ creates the hook tables that its step()
        # wrapper reads, without needing parameters.
        torch.optim.Optimizer.__setstate__(self, {
            "defaults": {},
            "state": collections.defaultdict(dict),
            "param_groups": [],
        })
        self._built_key = None
        self._iterations = optimizer_variables.make_iterations(
            f"{self.name}/iteration")
        self._iterations_version = self._iterations._version
        self._iteration_count = 0
        # Created on first use; `_lr_version`/`_lr_value`: what it held
        # when last synced with `param_groups` (see `_sync_lr`).
        self._lr_variable = None
        self._lr_version = None
        self._lr_value = None
        self._exclude_ids = set()
        self._exclude_pattern = None
        self._weight_decay_cache = {}

    # ----------------------------------------------------------------------
    # What subclasses declare.

    def _slot_specs(self):
        """``[(slot_name, initial_value), ...]`` in Keras's creation order."""
        return []

    _interleave_slots = False

    def _keras_slot_groups(self):
        """The slot names grouped as Keras's ``build`` creates them.

        Each tuple is one ``add_optimizer_variables(vars, names)`` call:
        its slots interleave per parameter. By default the pairs Keras
        creates together (``optimizer_state.group_slots``) form groups, or
        all slots one group with ``_interleave_slots``; override for
        another order.
        """
        names = [name for name, _ in self._slot_specs()]
        if self._interleave_slots:
            return [tuple(names)]
        return optimizer_state.group_slots(names)

    def _prepare_step(self, local_step):
        """Runs once per update, before any group (Nadam's momentum cache)."""

    def _update_step(self, params, grads, slots, lr, local_step):
        """Applies the rule to lists of params, grads and slot tensors.

        ``slots`` maps each slot name to a list aligned with ``params``;
        ``lr`` is a float; ``local_step`` is ``iterations + 1`` (an int).
        """
        raise NotImplementedError

    def _extra_variables(self):
        """``[(name, python_float), ...]`` saved after the slots."""
        return []

    def _set_extra_variable(self, name, value):
        raise KeyError(name)

    # ----------------------------------------------------------------------
    # Building.

    def _all_slot_specs(self):
        specs = []
        if self.use_ema:
            specs.append(("average", 0.0))
        if self.gradient_accumulation_steps:
            specs.append(("gradient_accumulator", 0.0))
        return specs + list(self._slot_specs())

    def build(self, var_list):
        """Creates the slots for `var_list` (Keras 3 ``build``).

        Args:
            var_list: parameters, ``(name, parameter)`` pairs, or torch
                param groups (dicts with ``'params'`` and optionally
                ``'lr'``).
        """
        groups = arguments.normalize_groups(var_list)
        key = tuple(id(p) for p in arguments.group_tensors(groups))
        if self.built and key == self._built_key:
            return
        previous_state = dict(self.state)
        if isinstance(self._learning_rate, float):
            self._learning_rate = self._base_lr_value()
        self._weight_decay_cache = {}
        if not key:
            self.param_groups = []
            self.state = collections.defaultdict(dict)
        else:
            torch.optim.Optimizer.__init__(
                self, groups, {"lr": self._base_lr_value()}
            )
            for p in list(self.state):
                if p in previous_state:
                    self.state[p] = previous_state[p]
            device = self.param_groups[0]["params"][0].device
            if self._iterations.device != device:
                self._iterations.data = self._iterations.data.to(device)
                self._iterations_version = self._iterations._version
        self._built_key = key
        self.built = True

    def add_param_group(self, param_group):
        """torch's ``add_param_group``; also creates the new slots."""
        super().add_param_group(param_group)
        self._weight_decay_cache = {}
        for p in self.param_groups[-1]["params"]:
            if not torch.is_floating_point(p):
                raise ValueError(
                    f"{type(self).__name__} can only optimize floating "
                    f"point parameters. Received: parameter of dtype "
                    f"{p.dtype}"
                )
            self._init_slots(p)

    def _init_slots(self, param):
        state = self.state[param]
        for slot_name, value in self._all_slot_specs():
            if value == 0:
                state[slot_name] = torch.zeros_like(
                    param, memory_format=torch.preserve_format
                )
            else:
                state[slot_name] = torch.full_like(
                    param, value, memory_format=torch.preserve_format
                )

    # ----------------------------------------------------------------------
    # Learning rate and iterations.

    @property
    def iterations(self):
        """The step counter, a 0-dim int64 ``Variable`` (Keras
        ``iterations``); ``assign`` to it takes effect at the next step.
        With ``gradient_accumulation_steps``, the number of updates (a
        tensor computed from it)."""
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        count = int(value)
        self._iteration_count = count
        with torch.no_grad():
            self._iterations.fill_(count)
        self._iterations_version = self._iterations._version

    def _sync_iterations(self):
        """Picks up a write to the ``iterations`` variable (a host read,
        only after such a write)."""
        self._iteration_count = int(self._iterations)
        self._iterations_version = self._iterations._version

    def _local_iteration(self):
        if self.gradient_accumulation_steps:
            return self._iteration_count // self.gradient_accumulation_steps
        return self._iteration_count

    def _base_lr_value(self, group=None):
        """The learning rate before tf.keras 2 ``decay``, a Python float."""
        var = self._lr_variable
        if var is not None and var._version != self._lr_version:
            self._sync_lr()
        lr = self._learning_rate
        if isinstance(lr, learning_rate_schedule.LearningRateSchedule):
            return float(lr(self._iteration_count))
        if callable(lr):
            return float(lr())
        if group is not None:
            return group["lr"]
        if self.param_groups:
            return self.param_groups[0]["lr"]
        return lr

    def _current_lr_value(self, group=None):
        """The learning rate of the next step, as a Python float."""
        lr = self._base_lr_value(group)
        if self.decay:
            lr = lr / (1.0 + self.decay * self._iteration_count)
        return lr

    @property
    def learning_rate(self):
        """The learning rate of the next step, as in Keras 3.

        With a float learning rate, a float32 scalar ``Variable`` (always
        the same object): ``float()``, ``K.get_value`` and ``.numpy()``
        read it; ``assign`` and ``K.set_value`` write it, taking effect at
        the next step. With a `LearningRateSchedule` or a callable, its
        current value as a 0-dim float32 tensor. Setting the attribute to a
        float (or a schedule, or a callable) takes effect at the next step.
        With tf.keras 2's ``decay`` this is the undecayed value, as
        tf.keras's ``lr`` was.
        """
        value = self._base_lr_value()
        if not isinstance(self._learning_rate, float):
            return torch.tensor(value, dtype=torch.float32)
        var = self._lr_variable
        if var is None:
            var = self._lr_variable = optimizer_variables.make_learning_rate(
                value, f"{self.name}/learning_rate")
        elif value == self._lr_value and var.exact_value() == value:
            return var
        else:
            var.assign(value)
        self._lr_version = var._version
        self._lr_value = value
        return var

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        self._learning_rate = arguments.standardize_learning_rate(
            learning_rate
        )
        if isinstance(self._learning_rate, float):
            for group in self.param_groups:
                group["lr"] = self._learning_rate
            if self._lr_variable is not None:
                self._lr_variable.assign(self._learning_rate)
                self._lr_version = self._lr_variable._version
                self._lr_value = self._learning_rate

    def _sync_lr(self):
        """Applies a write to the learning-rate variable to the groups."""
        var = self._lr_variable
        self._lr_version = var._version
        value = var.exact_value()
        if value is None:  # a raw in-place write: keep the exact float
            value = optimizer_state.restore_float(  # if it still matches
                self._lr_value, var.detach().cpu().numpy())
            var._stamp(value)
            self._lr_version = var._version
        if value == self._lr_value:
            return
        self._lr_value = value
        if not isinstance(self._learning_rate, float):
            return  # a schedule drives the groups; the variable is stale
        self._learning_rate = value
        for group in self.param_groups:
            group["lr"] = value

    lr = learning_rate  # tf.keras 2 alias.

    # ----------------------------------------------------------------------
    # Weight decay.

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Excludes variables from weight decay.

        Args:
            var_list: parameters to exclude.
            var_names: strings; a parameter whose name contains any of them
                (a regex search) is excluded. The name is the one given with
                ``(name, parameter)`` pairs, else the parameter's ``path`` or
                ``name`` attribute.
        """
        self._exclude_ids = {id(v) for v in var_list or ()}
        self._exclude_pattern = (
            re.compile("|".join(set(var_names))) if var_names else None
        )
        self._weight_decay_cache = {}

    def _param_names(self):
        names = {}
        for group in self.param_groups:
            for i, p in enumerate(group["params"]):
                group_names = group.get("param_names")
                found = [group_names[i]] if group_names else []
                for attr in ("path", "name"):
                    value = getattr(p, attr, None)
                    if isinstance(value, str):
                        found.append(value)
                names[id(p)] = found
        return names

    def _use_weight_decay(self, param, names):
        if id(param) in self._exclude_ids:
            return False
        if self._exclude_pattern is None:
            return True
        return not any(
            self._exclude_pattern.search(n) for n in names.get(id(param), ())
        )

    def _decayed_params(self, params):
        cache = self._weight_decay_cache
        if not cache:
            names = self._param_names()
            for group in self.param_groups:
                for p in group["params"]:
                    cache[id(p)] = self._use_weight_decay(p, names)
        return [p for p in params if cache[id(p)]]

    def _apply_weight_decay(self, params, lr):
        if not self.weight_decay:
            return
        decayed = self._decayed_params(params)
        if decayed:
            torch._foreach_mul_(decayed, 1.0 - self.weight_decay * lr)

    # ----------------------------------------------------------------------
    # The step.

    @torch.no_grad()
    def step(self, closure=None):
        """Applies one Keras update to every parameter that has a gradient.

        Order, as Keras 3: unscale by `loss_scale_factor`, accumulate
        (`gradient_accumulation_steps`), clip, weight decay, the rule, EMA,
        then ``iterations += 1``. Parameters whose ``.grad`` is None are
        skipped; when none has one, nothing happens. Unscaling and clipping
        modify ``.grad`` in place, as ``torch.nn.utils.clip_grad_norm_``.
        """
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
        if self._iterations._version != self._iterations_version:
            self._sync_iterations()
        batches = self._gather_gradients()
        if not batches:
            return loss
        if self.loss_scale_factor is not None:
            for batch in batches:
                torch._foreach_div_(batch[2], self.loss_scale_factor)
        if not self.gradient_accumulation_steps or self._accumulate(batches):
            self._clip(batches)
            self._apply_update(batches)
        self._update_ema()
        self._iterations.add_(1)
        self._iterations_version = self._iterations._version
        self._iteration_count += 1
        return loss

    def apply_and_clear_gradients(self):
        """``step()`` then ``zero_grad(set_to_none=True)``, as ``fit``'s
        train step calls them.

        torch wraps ``step``/``zero_grad`` of every optimizer in profiler
        ranges and hook dispatch; with no optimizer hook registered and no
        profiler running, that is skipped (the update is the same).
        """
        if (self._optimizer_step_pre_hooks or self._optimizer_step_post_hooks
                or torch_optimizer._global_optimizer_pre_hooks
                or torch_optimizer._global_optimizer_post_hooks
                or torch.autograd._profiler_enabled()
                or "step" in self.__dict__):  # wrapped, e.g. by a scheduler
            self.step()
            self.zero_grad(set_to_none=True)
            return
        if _plain_step(type(self)):
            with torch.no_grad():
                _BASE_STEP(self)
        else:  # a subclass's own step (LossScaleOptimizer's, say)
            self.step()
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None

    def _gather_gradients(self):
        batches = []
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                batches.append([group, params, [p.grad for p in params]])
        return batches

    def _accumulate(self, batches):
        """Keras gradient accumulation; True when this step updates."""
        steps = self.gradient_accumulation_steps
        for batch in batches:
            accumulators = self._slot_list(batch[1], "gradient_accumulator")
            if (self._iteration_count + 1) % steps:
                torch._foreach_add_(accumulators, batch[2])
            else:
                grads = torch._foreach_add(batch[2], accumulators)
                torch._foreach_div_(grads, steps)
                batch[2] = grads
        if (self._iteration_count + 1) % steps:
            return False
        every = [p for g in self.param_groups for p in g["params"]]
        torch._foreach_zero_(self._slot_list(every, "gradient_accumulator"))
        return True

    def _clip(self, batches):
        if self.clipnorm:
            for batch in batches:
                clipping.clip_by_norm_(batch[2], self.clipnorm)
        elif self.global_clipnorm:
            clipping.clip_by_global_norm_(
                [batch[2] for batch in batches], self.global_clipnorm
            )
        elif self.clipvalue:
            for batch in batches:
                clipping.clip_by_value_(batch[2], self.clipvalue)

    def _slot_list(self, params, slot_name):
        state = self.state
        return [state[p][slot_name] for p in params]

    def _apply_update(self, batches):
        local_iteration = self._local_iteration()
        self._prepare_step(local_iteration + 1)
        names = [name for name, _ in self._slot_specs()]
        for group, params, grads in batches:
            lr = self._current_lr_value(group)
            if not isinstance(self._learning_rate, float):
                group["lr"] = lr
            self._apply_weight_decay(params, lr)
            slots = {name: self._slot_list(params, name) for name in names}
            self._update_step(params, grads, slots, lr, local_iteration + 1)

    def _update_ema(self):
        if not self.use_ema:
            return
        params = [p for g in self.param_groups for p in g["params"]]
        averages = self._slot_list(params, "average")
        local_iteration = self._local_iteration()
        momentum = self.ema_momentum if local_iteration != 0 else 0.0
        torch._foreach_mul_(averages, momentum)
        torch._foreach_add_(averages, params, alpha=1.0 - momentum)
        frequency = self.ema_overwrite_frequency
        if frequency and (local_iteration + 1) % frequency == 0:
            torch._foreach_copy_(params, averages)

    def finalize_variable_values(self, var_list=None):
        """With `use_ema`, overwrites the weights with their averages."""
        if not self.use_ema or not self.built:
            return
        params = [p for g in self.param_groups for p in g["params"]]
        if var_list is not None:
            known = {id(p) for p in params}
            params = [p for p in var_list if id(p) in known]
        with torch.no_grad():
            torch._foreach_copy_(params, self._slot_list(params, "average"))

    def scale_loss(self, loss):
        """Multiplies `loss` by `loss_scale_factor` when it is set."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def apply_gradients(self, grads_and_vars, name=None,
                        skip_gradients_aggregation=False, **kwargs):
        """tf.keras ``apply_gradients(zip(grads, vars))``; builds if needed.

        Pairs whose gradient is None are skipped with a warning naming
        their variables, as tf.keras does; when every gradient is None,
        ``ValueError``. ``name`` and ``skip_gradients_aggregation`` are
        accepted for tf.keras compatibility.

        Returns:
            The ``iterations`` tensor, as tf.keras does.
        """
        del name, skip_gradients_aggregation, kwargs
        pairs = list(grads_and_vars)
        kept = [(g, v) for g, v in pairs if g is not None]
        if not kept:
            raise ValueError(
                "No gradients provided for any variable: every gradient "
                "passed to `apply_gradients` is None. Received: "
                f"variables={[_variable_name(v) for _, v in pairs]}"
            )
        if len(kept) < len(pairs):
            missing = [_variable_name(v) for g, v in pairs if g is None]
            warnings.warn(
                f"Gradients do not exist for variables {missing} when "
                "minimizing the loss. If you're using `model.compile()`, "
                "did you forget to provide a `loss` argument?",
                stacklevel=2,
            )
        grads, variables = zip(*kept)
        self.apply(grads, variables)
        return self.iterations

    def minimize(self, loss, var_list, tape=None):
        """tf.keras ``minimize``: gradients of ``loss``, then
        ``apply_gradients``.

        Args:
            loss: a tensor computed under ``tape``, or a callable with no
                arguments that returns the loss (then ``tape`` is not
                needed).
            var_list: the variables, or a callable returning them.
            tape: the ``GradientTape`` that recorded a tensor ``loss``.

        Returns:
            The ``iterations`` tensor.
        """
        from torchkeras.backend.gradient_tape import GradientTape

        if not callable(loss) and tape is None:
            raise ValueError(
                "`tape` is required when a tensor is passed to `minimize`; "
                "pass a callable loss otherwise. Received: tape=None, "
                f"loss of type {type(loss).__name__}"
            )
        tape = tape if tape is not None else GradientTape()
        if callable(loss):
            with tape:
                loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return self.apply_gradients(zip(grads, var_list))

    def get_gradients(self, loss, params):
        """tf.keras 2 legacy: the gradients of ``loss`` for ``params``.

        Raises ``ValueError`` naming the variables that have no gradient,
        as tf.keras 2 does; clipping (``clipnorm``/``clipvalue``) is
        applied when the optimizer sets it.
        """
        params = list(params)
        grads = torch.autograd.grad(loss, params, retain_graph=True,
                                    allow_unused=True)
        missing = [_variable_name(p) for p, g in zip(params, grads)
                   if g is None]
        if missing:
            raise ValueError(
                f"Variables {missing} have no gradient. Make sure that all "
                "your ops have a gradient defined (are differentiable). "
                "Received: loss that does not depend on them"
            )
        grads = [g.clone() for g in grads]
        if self.clipnorm:
            clipping.clip_by_norm_(grads, self.clipnorm)
        elif self.global_clipnorm:
            clipping.clip_by_global_norm_([grads], self.global_clipnorm)
        elif self.clipvalue:
            clipping.clip_by_value_(grads, self.clipvalue)
        return grads

    def apply(self, grads, trainable_variables=None):
        """Keras 3 ``apply``: one update with the given gradients."""
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer "
                    "must already be built. Call `optimizer.build("
                    "trainable_variables)` first. Received: "
                    "trainable_variables=None"
                )
            trainable_variables = [
                p for g in self.param_groups for p in g["params"]
            ]
        variables = list(trainable_variables)
        if not self.built:
            self.build(variables)
        known = {id(p) for g in self.param_groups for p in g["params"]}
        unknown = [v for v in variables if id(v) not in known]
        if unknown:
            raise ValueError(
                "This optimizer can only be called for the variables it was "
                "built with; call `build()` with the new list first. "
                f"Received: {len(unknown)} unknown variable(s), the first of "
                f"shape {tuple(unknown[0].shape)}"
            )
        # Clipping and unscaling work in place: keep the caller's tensors.
        copy = any(x is not None for x in (
            self.clipnorm, self.clipvalue, self.global_clipnorm,
            self.loss_scale_factor,
        ))
        # Only the given gradients apply: hide other stale ``.grad``s.
        every = [p for g in self.param_groups for p in g["params"]]
        saved = [p.grad for p in every]
        try:
            for p in every:
                p.grad = None
            for v, g in zip(variables, grads):
                v.grad = g.clone() if copy and g is not None else g
            self.step()
        finally:
            for p, g in zip(every, saved):
                p.grad = g

    # ----------------------------------------------------------------------
    # Config.

    def get_config(self):
        """Returns the Keras 3 config of this optimizer."""
        lr = self._learning_rate
        if isinstance(lr, learning_rate_schedule.LearningRateSchedule):
            lr = learning_rate_schedule.serialize(lr)
        elif callable(lr):
            lr = serialization.serialize_keras_object(lr)
        else:
            lr = self._base_lr_value()
        config = {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        if self.decay:
            config["decay"] = self.decay
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Creates an optimizer from a Keras 3 or tf.keras 2 config."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = learning_rate_schedule.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        for key in arguments.IGNORED_TF2_KWARGS:
            config.pop(key, None)
        return cls(**config)


# The undecorated body of ``Optimizer.step``, for
# ``apply_and_clear_gradients``.
_BASE_STEP = Optimizer.__dict__["step"].__wrapped__
_PLAIN_STEP = {}


def _variable_name(variable):
    """A variable's Keras path or name, else its shape (plain tensors)."""
    for attr in ("path", "name"):
        value = getattr(variable, attr, None)
        if isinstance(value, str):
            return value
    return f"<tensor of shape {tuple(variable.shape)}>"


def _plain_step(cls):
    """True when ``cls.step`` is ``Optimizer.step`` (possibly wrapped by
    torch's profiling hook), i.e. no subclass overrides it."""
    plain = _PLAIN_STEP.get(cls)
    if plain is None:
        step = cls.step
        base = Optimizer.__dict__["step"]
        plain = step is base or getattr(step, "__wrapped__", None) is base
        _PLAIN_STEP[cls] = plain
    return plain
