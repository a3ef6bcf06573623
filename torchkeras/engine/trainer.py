"""Trainer: ``compile``, ``fit``, ``evaluate``, ``predict`` and friends.

The loop follows Keras's torch trainer: a data adapter makes batches, a
``CallbackList`` runs the hooks, ``train_function`` (``make_train_function``:
``train_step``, optionally ``torch.compile``d) runs each step, validation
goes through ``evaluate``, and ``History`` is returned.

The hot path stays a plain torch loop: batches are index slices of tensors
converted once; the loss and metric states stay on the device; per-batch
logs are a lazy mapping that computes metric results only if a callback (or
the progress bar, at most every ~0.1 s) reads them; epoch logs are turned
into Python floats with one host transfer.
"""

import collections.abc
import warnings

import numpy as np
import torch

from torchkeras import distribute
from torchkeras import metrics as metrics_module
from torchkeras import optimizers as optimizers_module
from torchkeras.callbacks.callback_list import CallbackList
from torchkeras.engine import data_adapter
from torchkeras.engine.compile_utils import CompileLoss
from torchkeras.engine.compile_utils import CompileMetrics

from torchkeras.engine.compile_utils import flatten_targets
from torchkeras.engine.compile_utils import non_numeric_target_error
from torchkeras.layers import legacy_interfaces
from torchkeras.layers.layer import ADDED_METRICS
from torchkeras.backend.call_context import CALL_CONTEXT
from torchkeras.backend.call_context import data_checked_once
from torchkeras.losses.probabilistic import is_sparse_loss
from torchkeras.losses.probabilistic import sparse_label_error
from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.utils import tree

_LEGACY_COMPILE_KWARGS = ("sample_weight_mode", "target_tensors",
                          "distribute", "experimental_steps_per_execution",
                          "pss_evaluation_shards", "options",
                          "run_options", "auto_scale_loss")

class _LazyLogs(collections.abc.Mapping):
    """Per-batch logs: metric results computed only when first read."""

    __slots__ = ("_model", "_values")

    def __init__(self, model):
        self._model = model
        self._values = None

    def _get(self):
        if self._values is None:
            self._values = self._model.get_metrics_result()
        return self._values

    def __getitem__(self, key):
        return self._get()[key]

    def __iter__(self):
        return iter(self._get())

    def __len__(self):
        return len(self._get())

def to_python_logs(logs):
    """A dict of Python floats (arrays for non-scalar results).

    All scalar tensors are moved to the host in one transfer.
    """
    logs = dict(logs or {})
    keys = [k for k, v in logs.items()
            if torch.is_tensor(v) and v.numel() == 1]
    if keys:
        device = logs[keys[0]].device
        stacked = torch.stack([logs[k].detach().reshape(()).float().to(device)
                               for k in keys]).cpu().tolist()
        logs.update(zip(keys, stacked))
    for k, v in logs.items():
        if torch.is_tensor(v):
            logs[k] = v.detach().cpu().numpy()
        elif isinstance(v, np.generic):
            logs[k] = v.item()
    return logs

# The trainer's state, declared here and nowhere else: every key below is
# written straight into the model's ``__dict__``, bypassing
# ``nn.Module.__setattr__``. The optimizer, the compiled losses and metrics,
# the step functions and the DDP/compiled wrappers (which hold the model
# itself) are not parts of the model: registered as submodules they would
# enter ``state_dict()``, ``modules()`` and ``.to()``, and a wrapper holding
# the model would make a cycle. It also keeps ``__setattr__``'s checks off
# the step. tests/engine/test_trainer_state.py checks that the trainer
# writes no undeclared key.
TRAINER_STATE = {
    # compile
    "compiled": False,
    "optimizer": None,
    "loss": None,
    "compiled_loss": None,
    "compiled_metrics": None,
    "_compile_args": None,
    "_loss_tracker": None,
    "_output_loss_trackers": (),  # a fresh list per model
    "_run_eagerly": False,
    "_jit_compile": False,
    "_steps_per_execution": 1,
    # built on the first step
    "_optimizer_built": False,
    "_compiled_trainable_state": None,
    "_constrained": None,  # weights with a constraint, applied each step
    "_has_penalties": True,  # regularizers or add_loss to collect
    "_layer_metrics_cache": None,
    "_target_checks_cache": None,
    # the step functions and what wraps the model's forward
    "train_function": None,
    "test_function": None,
    "predict_function": None,
    "_jit_forward": None,
    "_ddp_forward": None,
    "_replica_loss_scale": 1.0,  # local / global batch in a DDP step
    # fit's run
    "stop_training": False,
    "history": None,
    "_indices_checked": False,  # input data checked once (no step checks)
}


def _fresh_trainer_state():
    state = dict(TRAINER_STATE)
    state["_output_loss_trackers"] = []
    return state


class Trainer:
    """The training API of ``Model`` (a mixin; see ``engine/model.py``)."""

    def __init__(self):
        self.__dict__.update(_fresh_trainer_state())

    # ------------------------------------------------------------------
    # compile

    def compile(self, optimizer="rmsprop", loss=None, metrics=None,
                loss_weights=None, weighted_metrics=None, run_eagerly=False,
                steps_per_execution=1, jit_compile=False, **kwargs):
        """Configures the model for training.

        Args:
            optimizer: name or optimizer instance (a Keras optimizer from
                ``torchkeras.optimizers`` or any ``torch.optim.Optimizer``).
            loss: name, function or ``Loss``; a list or dict (keyed by
                output name) for several outputs; None when the model adds
                its own losses with ``add_loss``.
            metrics: list of metrics (names, functions or ``Metric``s), or a
                dict/list of lists per output. ``'accuracy'`` picks the
                binary, sparse or categorical variant as tf.keras does.
            loss_weights: scalars weighting each output's loss.
            weighted_metrics: metrics that use ``sample_weight``.
            run_eagerly: accepted (torchkeras always runs eagerly unless
                ``jit_compile``).
            steps_per_execution: accepted; each step runs on its own.
            jit_compile: ``True`` runs the train step under
                ``torch.compile`` (falls back with a warning if it fails).

        Raises:
            TypeError: for unknown keyword arguments.
            ValueError: for unknown loss, metric or optimizer names.
        """
        unknown = set(kwargs) - set(_LEGACY_COMPILE_KWARGS)
        if unknown:
            raise TypeError(
                "Invalid keyword argument(s) in `compile()`: "
                f"{sorted(unknown)}. Valid keyword arguments include "
                "optimizer, loss, metrics, loss_weights, weighted_metrics, "
                "run_eagerly, steps_per_execution, jit_compile."
            )
        d = self.__dict__
        d["optimizer"] = _with_loss_scaling(
            optimizers_module.get(optimizer), self.dtype_policy,
            kwargs.get("auto_scale_loss", True))
        d["loss"] = loss
        names = self._known_output_names()
        d["compiled_loss"] = CompileLoss(loss, loss_weights, names,
                                         model=self)
        d["compiled_metrics"] = CompileMetrics(metrics, weighted_metrics,
                                               names, model=self)
        d["_loss_tracker"] = metrics_module.Mean(name="loss")
        d["_output_loss_trackers"] = []
        d["_run_eagerly"] = bool(run_eagerly)
        d["_jit_compile"] = jit_compile is True
        d["_steps_per_execution"] = steps_per_execution
        d["train_function"] = None
        d["test_function"] = None
        d["predict_function"] = None
        d["compiled"] = True
        d["_compile_args"] = {
            "loss": loss, "metrics": metrics, "loss_weights": loss_weights,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": bool(run_eagerly),
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile is True}
        d["_optimizer_built"] = False
        d["_compiled_trainable_state"] = self._trainable_state()
        if self.built:
            self._build_optimizer()

    def get_compile_config(self):
        """The ``compile`` arguments as Keras 3 writes them, or None."""
        if not self.compiled:
            return None
        from torchkeras.utils.serialization import serialize_keras_object

        def spec(value):
            if isinstance(value, dict):
                return {k: spec(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [spec(v) for v in value]
            return serialize_keras_object(value)

        config = {k: spec(v) if k in ("loss", "metrics", "loss_weights",
                                      "weighted_metrics") else v
                  for k, v in self._compile_args.items()}
        opt = self.optimizer
        config["optimizer"] = (optimizers_module.serialize(opt)
                               if isinstance(opt, optimizers_module.Optimizer)
                               else None)
        return config

    def _symbolic_outputs(self):
        """The model's output KerasTensors where a graph defines them
        (`Functional`), else None: what the trainer may know of the
        outputs before a step runs."""
        return None

    def _known_output_names(self):
        if self._symbolic_outputs() is None:
            return None
        return list(self.output_names)

    def _trainable_state(self):
        return tuple(w.requires_grad for w in self.weights)

    def _build_optimizer(self):
        opt = self.optimizer
        if hasattr(opt, "build"):
            opt.build(self.trainable_weights)
        self.__dict__["_optimizer_built"] = True
        self.__dict__["_constrained"] = [
            w for w in self.weights
            if getattr(w, "_keras_constraint", None) is not None]
        self.__dict__["_has_penalties"] = self._model_has_penalties()

    def _model_has_penalties(self):
        from torchkeras.layers.layer import Layer

        for module in self.modules():
            if isinstance(module, Layer) and (
                    module._regularized
                    or module.activity_regularizer is not None
                    or module.__dict__.get("_callable_losses")):
                return True
        return False

    def _assert_compiled(self, method):
        if not self.compiled:
            raise RuntimeError(
                f"You must call `compile()` before using the model "
                f"(`{method}`)."
            )

    # ------------------------------------------------------------------
    # The steps (overridable).

    def train_step(self, data):
        """One optimisation step on one batch; returns the logs."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        d = self.__dict__
        forward = d.get("_ddp_forward") or d.get("_jit_forward") or self
        y_pred = forward(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred,
                                 sample_weight=sample_weight, training=True)
        self._loss_tracker.update_state(
            loss.detach(), sample_weight=_batch_size(x, y_pred))
        if loss.requires_grad:  # False when every weight is frozen
            scale = d.get("_replica_loss_scale", 1.0)
            if scale != 1.0:
                loss = loss * scale
            scale_loss = getattr(self.optimizer, "scale_loss", None)
            (scale_loss(loss) if scale_loss is not None else loss).backward()
            optimizer = self.optimizer
            update = getattr(optimizer, "apply_and_clear_gradients", None)
            if update is not None:
                update()
            else:  # a torch.optim optimizer
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
        if self._constrained:
            self._apply_constraints()
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        """One evaluation step on one batch; returns the logs."""
        x, y, sample_weight = data_adapter.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred,
                                 sample_weight=sample_weight, training=False)
        self._loss_tracker.update_state(
            loss, sample_weight=_batch_size(x, y_pred))
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for one batch."""
        x, _, _ = data_adapter.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     training=True):
        """The total loss: compiled losses plus the model's own losses."""
        compiled = self.compiled_loss
        if not compiled.built:
            compiled.build(self._output_names_for(y_pred))
        total = None
        if compiled.entries:
            total = compiled.compute(y, y_pred, sample_weight)
            if len(compiled.entries) > 1:
                self._track_output_losses(compiled.last_values,
                                          _batch_size(x, y_pred))
        if (self.__dict__.get("_has_penalties", True)
                or CALL_CONTEXT.losses_added):
            extra = self.losses
            if extra:
                reg = torch.stack([torch.as_tensor(v).sum()
                                   for v in extra]).sum()
                total = reg if total is None else total + reg
        if total is None:
            raise ValueError(
                f"Model '{self.name}' has no loss to optimize: provide a "
                "`loss` argument in `compile()` or add losses with "
                "`add_loss()`."
            )
        return total

    def _track_compiled_loss(self, total, values, y_true, y_pred):
        """Records a loss computed by ``self.compiled_loss(...)``."""
        size = _batch_size(y_true, y_pred)
        if self._loss_tracker is not None:
            self._loss_tracker.update_state(total.detach(),
                                            sample_weight=size)
        if len(values) > 1:
            self._track_output_losses(values, size)

    def _track_output_losses(self, values, batch_size):
        trackers = self._output_loss_trackers
        if not trackers:
            names = self.compiled_loss.output_names
            for index, *_ in self.compiled_loss.entries:
                tracker = metrics_module.Mean(name=f"{names[index]}_loss")
                trackers.append(tracker.to(values[0].device))
        for tracker, value in zip(trackers, values):
            tracker.update_state(value.detach(), sample_weight=batch_size)

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics; returns the (lazy) logs."""
        compiled = self.compiled_metrics
        if not compiled.built:
            compiled._build_from_model(y, y_pred)
        if compiled.metrics and y is not None:
            compiled.update_state(y, y_pred, sample_weight)
        return _LazyLogs(self)

    def _output_names_for(self, y_pred):
        names = self._known_output_names()
        if names is not None:
            return names
        if isinstance(y_pred, dict):
            return sorted(y_pred)
        if isinstance(y_pred, (list, tuple)):
            return [f"output_{i + 1}" for i in range(len(y_pred))]
        return ["output_1"]

    def _apply_constraints(self):
        with torch.no_grad():
            for w in self._constrained:
                w.copy_(w._keras_constraint(w))

    # ------------------------------------------------------------------
    # Metrics.

    @property
    def metrics(self):
        """The loss tracker(s), then the compiled metrics, then the
        metrics the model tracks: ``Metric`` objects assigned to its
        attributes (``self.loss_tracker = keras.metrics.Mean(...)``), then
        its layers' (assigned or made by ``add_metric``), each once.
        ``fit`` and ``evaluate`` reset them all (``reset_metrics``)."""
        out = []
        if self._loss_tracker is not None:
            out.append(self._loss_tracker)
        out.extend(self._output_loss_trackers)
        compiled = self.compiled_metrics
        if compiled is not None:
            # Before the first batch the container stands for its metrics
            # (as Keras 3's `compile_metrics`), building itself on update.
            if compiled.built:
                out.extend(compiled.flat_metrics)
            elif compiled._metrics_spec or compiled._weighted_spec:
                out.append(compiled)
        tracked = self._layer_metrics()
        if tracked:
            listed = {id(m) for m in out}
            out.extend(m for m in tracked if id(m) not in listed)
        return out

    def _layer_metrics(self):
        """The metrics the model and its layers track (cached until a
        layer adds a metric or a module is assigned to a layer)."""
        d = self.__dict__
        cached = d.get("_layer_metrics_cache")
        if cached is None or cached[0] != ADDED_METRICS.generation:
            cached = (ADDED_METRICS.generation, self._added_metrics_tree())
            d["_layer_metrics_cache"] = cached
        return cached[1]

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    def reset_metrics(self):
        device = self._device()
        for metric in self.metrics:
            where = getattr(metric, "_state_device", None)
            if where is not None and where() not in (None, device):
                metric.to(device)  # states follow the model (e.g. to CUDA)
            metric.reset_state()

    def get_metrics_result(self):
        """``{name: result}`` of every metric (tensors, on the device)."""
        logs = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                logs.update(result)
            else:
                logs[metric.name] = result
        return logs

    # ------------------------------------------------------------------
    # Step functions.

    def make_train_function(self, force=False):
        if self.train_function is not None and not force:
            return self.train_function
        step = self.train_step
        self.__dict__["_jit_forward"] = None
        if self._jit_compile:
            self.__dict__["_jit_forward"] = _compiled_or_eager(self)
        self.__dict__["train_function"] = step
        return step

    def make_test_function(self, force=False):
        if self.test_function is not None and not force:
            return self.test_function
        step = self.test_step

        def test_function(data):
            if torch.is_grad_enabled():
                with torch.no_grad():
                    return step(data)
            return step(data)

        self.__dict__["test_function"] = test_function
        return test_function

    def make_predict_function(self, force=False):
        if self.predict_function is not None and not force:
            return self.predict_function
        step = self.predict_step

        def predict_function(data):
            if torch.is_grad_enabled():
                with torch.no_grad():
                    return step(data)
            return step(data)

        # Ours, running `predict_step` as defined: a batch may take the
        # model's direct predictor instead (`_predict_batch`).
        predict_function._plain = True
        self.__dict__["predict_function"] = predict_function
        return predict_function

    # ------------------------------------------------------------------
    # Data.

    def _device(self):
        for p in self.parameters():
            return p.device
        for b in self.buffers():
            return b.device
        return torch.device("cpu")

    def _prepare_training(self, x):
        # A model whose `train_step` is its own (a GAN, a distiller: often
        # no `call()` at all) is never called by the engine to build it.
        if not self.built and not self._overrides("train_step"):
            first = _first_leaf(x)
            if first is not None and hasattr(first, "shape"):
                self._build_from_data(x)
        if self.built and not self._optimizer_built:
            self._build_optimizer()
        state = self._trainable_state()
        if (self._compiled_trainable_state is not None
                and state != self._compiled_trainable_state
                and len(state) == len(self._compiled_trainable_state)):
            warnings.warn(
                "Discrepancy between trainable weights and collected "
                "trainable weights: did you set `model.trainable` (or a "
                "layer's) without calling `model.compile()` after? The "
                "change takes effect at the next `compile()`.",
                stacklevel=3)
            self.__dict__["_compiled_trainable_state"] = state

    def _overrides(self, step):
        """Whether the model's class defines its own ``step`` method."""
        return getattr(type(self), step) is not getattr(Trainer, step)

    def _build_from_data(self, x):
        with torch.no_grad():
            sample = tree.map_structure(
                lambda v: data_adapter.to_tensor(v)[:1]
                if v is not None and hasattr(v, "shape") else v, x)
            self(sample)

    def _check_array_data(self, x, y, argument="x"):
        """Checks arrays before training starts: the model checks its
        inputs (structure, and the layers that check data once), then the
        labels are checked against the compiled losses."""
        check = getattr(self, "_check_input_data", None)
        self.__dict__["_indices_checked"] = (
            check is not None and check(x, argument))
        self._check_targets(y)

    def _check_targets(self, y, host_only=False):
        """Checks targets against the compiled losses: numbers, and sparse
        labels in range. One vectorized host pass per label array.

        With ``host_only`` labels already on an accelerator are left to
        the loss kernel (reading them here would sync every step).
        """
        plan = self._target_checks() if y is not None else None
        if not plan:
            return
        trues = flatten_targets(y, self.output_names)
        for index, loss, name, classes in plan:
            labels = trues[index]
            if labels is None or host_only and torch.is_tensor(
                    labels) and not labels.is_cpu:
                continue
            error = non_numeric_target_error(loss, labels, name)
            if error is None and classes is not None:
                error = sparse_label_error(
                    getattr(loss, "name", name), labels, classes,
                    getattr(loss, "ignore_class", None))
            if error is not None:
                raise error

    def _target_checks(self):
        """``(output index, loss, output name, classes)`` per compiled
        loss of a graph network (``classes`` only for sparse losses), made
        once per ``compile``."""
        compiled = self.compiled_loss
        if compiled is None:
            return None
        cached = self.__dict__.get("_target_checks_cache")
        if cached is not None and cached[0] is compiled:
            return cached[1]
        outputs = self._symbolic_outputs()
        if outputs is None:
            return None
        names = self.output_names
        if not compiled.built:
            compiled.build(names)
        plan = []
        for index, loss, _, _ in compiled.entries:
            shape = outputs[index].shape
            classes = shape[-1] if len(shape) and is_sparse_loss(
                loss) else None
            plan.append((index, loss, names[index], classes))
        self.__dict__["_target_checks_cache"] = (compiled, plan)
        return plan

    def _single_output_classes(self):
        """The class count of a single-output model (2 for one unit), or
        None where it is unknown."""
        outputs = self._symbolic_outputs()
        if outputs is None or len(outputs) != 1:
            return None
        shape = outputs[0].shape
        last = shape[-1] if len(shape) else None
        if last is None:
            return None
        return 2 if last == 1 else int(last)

    def _class_weight_fn(self, class_weight):
        """``class_weight`` as a function ``(y, sample_weight) -> weights``.

        Checked here, before training (tf.keras 2's rule): a dict with a
        weight for every class from 0 to one less than the number of
        classes, on a single-output model; labels outside it raise a
        ``ValueError`` (on the CPU, and on the host for arrays).
        """
        if class_weight is None or (isinstance(class_weight, dict)
                                    and not class_weight):
            return None
        table = _class_weight_table(class_weight,
                                    self._single_output_classes(),
                                    self._output_count())
        tables = {}

        def apply(y, sample_weight):
            if not torch.is_tensor(y):
                raise _class_weight_error(
                    "`class_weight` is only supported for Models with a "
                    "single output.", class_weight)
            labels = _class_labels(y)
            device_table = tables.get(labels.device)
            if device_table is None:
                device_table = tables[labels.device] = table.to(
                    labels.device)
            try:
                weights = device_table[labels]
            except IndexError as e:  # the CPU reports it; CUDA asserts
                raise _missing_class_error(class_weight, labels) from e
            if sample_weight is not None:
                weights = weights * sample_weight.reshape(weights.shape)
            return weights

        def check(y):
            """Once, for label arrays: every label has a weight."""
            if y is None or not torch.is_tensor(y) or not y.numel():
                return
            labels = _class_labels(y).cpu()
            low, high = torch.aminmax(labels)
            if int(low) < 0 or int(high) >= len(table):
                raise _missing_class_error(class_weight, labels)

        apply.check = check
        return apply

    def _output_count(self):
        outputs = self._symbolic_outputs()
        return None if outputs is None else len(outputs)

    # ------------------------------------------------------------------
    # fit / evaluate / predict.

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto",
            callbacks=None, validation_split=0.0, validation_data=None,
            shuffle=True, class_weight=None, sample_weight=None,
            initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1,
            max_queue_size=10, workers=1, use_multiprocessing=False,
            **kwargs):
        """Trains the model for a fixed number of epochs.

        Arguments, defaults and the returned ``History`` are tf.keras's
        (Keras 1's ``nb_epoch`` is taken for ``epochs``, with a warning).
        """
        if kwargs:
            epochs = legacy_interfaces.fit_epochs(epochs, kwargs)
        self._assert_compiled("fit")
        verbose = _resolve_verbose(verbose)
        _check_batch_size("batch_size", batch_size)
        _check_batch_size("validation_batch_size", validation_batch_size)
        _check_epochs(epochs, initial_epoch)
        _check_validation_split(validation_split)
        steps_per_epoch = _check_steps("steps_per_epoch", steps_per_epoch)
        validation_steps = _check_steps("validation_steps", validation_steps)
        if validation_split and validation_data is None:
            if not data_adapter.is_array_like(x):
                raise ValueError(
                    "`validation_split` is only supported for tensors or "
                    f"NumPy arrays. Received: x of type {type(x).__name__}"
                )
            (x, y, sample_weight), validation_data = (
                data_adapter.train_validation_split(
                    (x, y, sample_weight), validation_split))
        device = self._distributed_device()
        adapter = self._adapter(
            x, y, sample_weight, batch_size=batch_size,
            steps=steps_per_epoch, shuffle=shuffle, device=device)
        # Every rank must run the same number of DDP steps.
        adapter.drop_uneven = True
        if isinstance(adapter, data_adapter.ArrayAdapter):
            self._prepare_training(adapter.x)
            self._check_array_data(adapter.x, adapter.y)
        val_adapter = None
        if validation_data is not None:
            val_adapter = self._validation_adapter(
                validation_data, validation_batch_size or batch_size,
                validation_steps, device)
        weigh = self._class_weight_fn(class_weight)
        self._check_before_training(adapter, val_adapter, weigh)
        callback_list = CallbackList(
            callbacks, add_history=True,
            add_progbar=verbose != 0 and distribute.is_main_process(),
            model=self, verbose=verbose, epochs=epochs,
            steps=adapter.steps_per_epoch)
        self.stop_training = False
        callback_list.on_train_begin()
        initial_epoch, skip_steps = self._resume_point(callback_list,
                                                       initial_epoch)
        epoch_logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            adapter.set_epoch(epoch)
            logs = self._run_train_epoch(adapter, callback_list, weigh,
                                         skip_steps)
            skip_steps = 0
            if logs is None:
                if epoch == initial_epoch or not getattr(
                        adapter, "exhausted", False):
                    raise ValueError(
                        "Unexpected result of `train_function` (Empty "
                        "logs): the training data produced no batch. Check "
                        "that `x` is not empty and that `steps_per_epoch` "
                        "and your generator or dataset agree."
                    )
                break
            epoch_logs = to_python_logs(self._global_logs(logs))
            if val_adapter is not None and _should_validate(
                    epoch, validation_freq):
                val_logs = self._evaluate_adapter(
                    val_adapter, callback_list, verbose=0)
                epoch_logs.update({"val_" + k: v
                                   for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            adapter.on_epoch_end()
            if self.stop_training or getattr(adapter, "exhausted", False):
                break
        callback_list.on_train_end(logs=epoch_logs)
        self.__dict__["_ddp_forward"] = None
        return self.history

    # ------------------------------------------------------------------
    # Data parallelism (see `torchkeras.distribute`).

    def _distributed_device(self):
        """Joins a launcher's process group; the device this rank uses."""
        device = distribute.maybe_init()
        if device is not None and self._device() != device:
            self.to(device)
        return self._device()

    def _adapter(self, x, y=None, sample_weight=None, **kwargs):
        adapter = data_adapter.get_adapter(x, y, sample_weight, **kwargs)
        if distribute.is_distributed():
            adapter.shard(distribute.rank(), distribute.world_size())
        device = kwargs.get("device")
        if device is not None and device.type != "cpu":
            # A CUDA loss kernel only asserts on a bad label: batches
            # made on the host are checked there, before they move (on the
            # CPU the kernels raise the same error themselves, for free).
            adapter.check_targets = self._check_host_targets
        return adapter

    def _check_host_targets(self, y):
        self._check_targets(y, host_only=True)

    def _wrap_for_replicas(self):
        if not distribute.is_distributed() or self.__dict__.get(
                "_ddp_forward") is not None:
            return
        # DDP's built-in gradient all-reduce; a rank that stops answering
        # inside a step is named by `_named_step` (StalledRankError).
        self.__dict__["_ddp_forward"] = distribute.data_parallel(
            self, self._device(), named_gradients=False)

    def _replica_train_function(self):
        """The train function of this run of `fit`: a custom
        ``train_step`` in several processes averages the gradients of its
        optimizer steps (`_replica_averaged_step`); the built-in one runs
        the model in DDP, which averages them in ``backward()``."""
        step = getattr(self.train_step, "__func__", self.train_step)
        if step is not Trainer.train_step:
            train_function = self.make_train_function()
            if distribute.world_size() > 1:
                train_function = _named_step(
                    _replica_averaged_step(self, train_function))
            return train_function
        self._wrap_for_replicas()
        train_function = self.make_train_function()
        if self.__dict__.get("_ddp_forward") is not None:
            train_function = _named_step(train_function)
        return train_function

    def _global_logs(self, logs):
        """Epoch logs with the metric states of all ranks combined.

        Each state says how (``aggregation``): ``'sum'`` (the default) and
        ``'mean'`` over ranks, ``'only_first_replica'``, or ``'none'``
        (kept local). In evaluation ranks may have run different numbers
        of steps, ``logs`` being None on a rank that had no batch; the
        result is None when no rank had one.
        """
        if not distribute.is_distributed():
            return logs
        states = [v for m in self.metrics
                  for v in getattr(m, "variables", [])
                  if getattr(v, "aggregation", "sum") != "none"]
        size = sum(v.numel() for v in states)
        ran, high, low = distribute.all_reduce_max(
            [logs is not None, size, -size])
        if high != -low:
            raise ValueError(
                f"Model '{self.name}': the metric states differ between "
                "processes, because a process got no batch before its "
                "metrics were built. Give every process at least one "
                "batch. Received: "
                f"{int(size)} state values on rank {distribute.rank()}"
            )
        if not ran:
            return None
        return self._summed_metric_logs(logs or {}, states)

    def _summed_metric_logs(self, logs, states):
        saved = [v.detach().clone() for v in states]
        first = distribute.rank() == 0
        world = distribute.world_size()
        with torch.no_grad():
            mine = [torch.zeros_like(v) if not first and getattr(
                v, "aggregation", "sum") == "only_first_replica" else v
                for v in states]
            summed = distribute.all_reduce_sum(mine)
            for v, total in zip(states, summed):
                mean = getattr(v, "aggregation", "sum") == "mean"
                v.copy_(total / world if mean else total)
            result = dict(logs)
            result.update(self.get_metrics_result())
            result = to_python_logs(result)
            for v, old in zip(states, saved):
                v.copy_(old)
        return result

    @staticmethod
    def _resume_point(callback_list, initial_epoch):
        """Where a callback (BackupAndRestore) asks `fit` to resume:
        ``(epoch, batches of it already done)``."""
        point = callback_list.resume_point()
        if point is None:
            return initial_epoch, 0
        return point.epoch, point.step

    def _run_train_epoch(self, adapter, callback_list, weigh, skip_steps=0):
        if self.__dict__.get("_indices_checked") and isinstance(
                adapter, data_adapter.ArrayAdapter):
            # Embedding indices were checked once on the whole array: no
            # per-step host check on accelerators.
            with data_checked_once():
                return self._train_batches(adapter, callback_list, weigh,
                                           skip_steps)
        return self._train_batches(adapter, callback_list, weigh,
                                   skip_steps)

    def _train_batches(self, adapter, callback_list, weigh, skip_steps=0):
        train_function = None
        logs = None
        for step, batch in enumerate(adapter):
            if step < skip_steps:
                continue  # Done before the interruption; same order.
            if train_function is None:
                if not self.built or not self._optimizer_built:
                    self._prepare_training(batch[0])
                train_function = self._replica_train_function()
            if adapter.world > 1 and hasattr(adapter, "global_batch_size"):
                local = _first_leaf(batch[0]).shape[0]
                self.__dict__["_replica_loss_scale"] = (
                    local * adapter.world / adapter.global_batch_size)
            if weigh is not None:
                batch = (batch[0], batch[1], weigh(batch[1], batch[2]))
            callback_list.on_train_batch_begin(step)
            logs = _flat_logs(_step(train_function, _pack(batch)))
            callback_list.on_train_batch_end(step, logs)
            if self.stop_training:
                break
        if logs is None and skip_steps:
            # Every batch was done before the interruption: the restored
            # metric states are the epoch's results.
            logs = _LazyLogs(self)
        return logs

    def _validation_adapter(self, validation_data, batch_size, steps,
                            device):
        if isinstance(validation_data, (tuple, list)) and len(
                validation_data) in (2, 3) and (
                    data_adapter.is_array_like(validation_data[0])):
            vx, vy, vsw = data_adapter.unpack_x_y_sample_weight(
                tuple(validation_data))
            return self._adapter(
                vx, vy, vsw, batch_size=batch_size, steps=steps,
                shuffle=False, device=device)
        return self._adapter(
            validation_data, batch_size=batch_size, steps=steps,
            shuffle=False, device=device, argument="validation_data")

    def _check_before_training(self, adapter, val_adapter, weigh):
        """What arrays allow to check before the first step: validation
        arrays as the training ones, a class weight for every label, and
        a warning for NaN/Inf (one vectorized host pass per array)."""
        if isinstance(val_adapter, data_adapter.ArrayAdapter):
            self._check_array_data(val_adapter.x, val_adapter.y,
                                   argument="validation_data")
        if not isinstance(adapter, data_adapter.ArrayAdapter):
            return
        if weigh is not None:
            weigh.check(adapter.y)
        for argument, value in (("x", adapter.x), ("y", adapter.y),
                                ("sample_weight", adapter.sample_weight)):
            _warn_non_finite(argument, value)
        if isinstance(val_adapter, data_adapter.ArrayAdapter):
            _warn_non_finite("validation_data", (
                val_adapter.x, val_adapter.y, val_adapter.sample_weight))

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto",
                 sample_weight=None, steps=None, callbacks=None,
                 max_queue_size=10, workers=1, use_multiprocessing=False,
                 return_dict=False, **kwargs):
        """Returns the loss and metric values on the given data."""
        self._assert_compiled("evaluate")
        verbose = _resolve_verbose(verbose)
        _check_batch_size("batch_size", batch_size)
        steps = _check_steps("steps", steps)
        adapter = self._adapter(
            x, y, sample_weight, batch_size=batch_size, steps=steps,
            shuffle=False, device=self._distributed_device())
        if isinstance(adapter, data_adapter.ArrayAdapter):
            self._check_targets(adapter.y)
        if not isinstance(callbacks, CallbackList):
            callbacks = CallbackList(
                callbacks,
                add_progbar=verbose != 0 and distribute.is_main_process(),
                model=self,
                verbose=verbose, epochs=1, steps=adapter.steps_per_epoch)
        logs = self._evaluate_adapter(adapter, callbacks, verbose)
        if return_dict:
            return logs
        # The metrics' values in their order, then what else the step
        # returned, sorted by name (Keras 3's order).
        names = [name for name in self.metrics_names if name in logs]
        names += sorted(set(logs) - set(names))
        values = [logs[name] for name in names]
        return values[0] if len(values) == 1 else values

    def _evaluate_adapter(self, adapter, callback_list, verbose):
        test_function = self.make_test_function()
        self.reset_metrics()
        callback_list.on_test_begin()
        logs = None
        with torch.no_grad():
            for step, batch in enumerate(adapter):
                callback_list.on_test_batch_begin(step)
                logs = _flat_logs(_step(test_function, _pack(batch)))
                callback_list.on_test_batch_end(step, logs)
        # Ranks may have run different numbers of steps (even none).
        logs = self._global_logs(logs)
        if logs is None:
            raise ValueError(
                "Expected some data to evaluate, but the evaluation data "
                "produced no batch."
            )
        logs = to_python_logs(logs)
        callback_list.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None,
                callbacks=None, max_queue_size=10, workers=1,
                use_multiprocessing=False):
        """The model's outputs as NumPy arrays (lists/dicts for several)."""
        verbose = _resolve_verbose(verbose)
        _check_batch_size("batch_size", batch_size)
        steps = _check_steps("steps", steps)
        adapter = data_adapter.get_adapter(
            x, batch_size=batch_size, steps=steps, shuffle=False,
            device=self._distributed_device())
        block = None
        if distribute.is_distributed():  # each rank predicts one block
            block = data_adapter.rank_block(
                adapter, distribute.rank(), distribute.world_size())
        sharded = block is not None
        adapter = block if sharded else adapter
        callback_list = CallbackList(
            callbacks,
            add_progbar=verbose != 0 and distribute.is_main_process(),
            model=self,
            verbose=verbose, epochs=1, steps=adapter.steps_per_epoch)
        predict_function = self.make_predict_function()
        callback_list.on_predict_begin()
        structure, leaves = None, None
        # Inference mode (no autograd bookkeeping at all), as a torch
        # serving loop would use; outputs leave as NumPy copies anyway.
        with torch.inference_mode():
            structure, leaves = self._predict_batches(
                adapter, callback_list, predict_function)
        if leaves is None:
            raise ValueError(
                "Unexpected result of `predict_function` (Empty batch_outputs"
                "). Please use `Model.compile(..., run_eagerly=True)`, or "
                "check that your input data is not empty."
            )
        result = tree.pack_sequence_as(
            structure, [np.concatenate(acc, axis=0) for acc in leaves])
        if sharded:
            result = tree.map_structure(distribute.gather_ordered, result)
        callback_list.on_predict_end()
        return result

    def _predict_batches(self, adapter, callback_list, predict_function):
        structure, leaves = None, None
        # With no listener (no progress bar either) the batch hooks are
        # skipped: they would dispatch to nobody.
        listening = any(callback_list._receivers_of(hook) for hook in (
            "on_predict_batch_begin", "on_predict_batch_end"))
        # Nothing changes the model between batches unless a callback
        # listens: the direct predictor is decided once.
        direct = None if listening else self._direct_predictor_for(
            predict_function)
        for step, batch in enumerate(adapter):
            if listening:
                callback_list.on_predict_batch_begin(step)
                direct = self._direct_predictor_for(predict_function)
            out = NotImplemented
            if direct is not None and batch[1] is None and batch[2] is None:
                out = direct(batch[0])  # inline: the per-batch fast path
            if out is NotImplemented:
                out = _predict_batch(predict_function, None, batch)
            if type(out) is torch.Tensor:  # one output: no tree walk
                if leaves is None:
                    structure, leaves = out, [[]]
                leaves[0].append(
                    out.numpy() if out.is_cpu and not out.requires_grad
                    else out.detach().cpu().numpy())
            else:
                flat = tree.flatten(out)
                if leaves is None:
                    structure, leaves = out, [[] for _ in flat]
                for acc, value in zip(leaves, flat):
                    acc.append(_to_numpy(value))
            if listening:
                callback_list.on_predict_batch_end(step, {"outputs": out})
        return structure, leaves

    # ------------------------------------------------------------------
    # Single batches.

    def _batch_tensors(self, x, y=None, sample_weight=None):
        device = self._device()

        def convert(v):
            return None if v is None else data_adapter.to_tensor(v, device)

        return (tree.map_structure(convert, x),
                tree.map_structure(convert, y) if y is not None else None,
                tree.map_structure(convert, sample_weight)
                if sample_weight is not None else None)

    def _check_batch_before_move(self, y):
        """Host labels bound for an accelerator, checked before they move
        (on the CPU the loss kernels raise the same error themselves)."""
        if y is not None and self._device().type != "cpu":
            self._check_host_targets(y)

    def train_on_batch(self, x, y=None, sample_weight=None,
                       class_weight=None, reset_metrics=True,
                       return_dict=False):
        """Runs one gradient update on one batch of data."""
        self._assert_compiled("train_on_batch")
        self._check_batch_before_move(y)
        batch = self._batch_tensors(x, y, sample_weight)
        self._prepare_training(batch[0])
        weigh = self._class_weight_fn(class_weight)
        if weigh is not None:
            batch = (batch[0], batch[1], weigh(batch[1], batch[2]))
        if reset_metrics:
            self.reset_metrics()
        logs = _flat_logs(_step(self.make_train_function(), _pack(batch)))
        return self._format_batch_logs(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None,
                      reset_metrics=True, return_dict=False):
        """Evaluates the model on one batch of data."""
        self._assert_compiled("test_on_batch")
        self._check_batch_before_move(y)
        batch = self._batch_tensors(x, y, sample_weight)
        if reset_metrics:
            self.reset_metrics()
        logs = _flat_logs(_step(self.make_test_function(), _pack(batch)))
        return self._format_batch_logs(logs, return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as NumPy arrays."""
        batch = self._batch_tensors(x)
        predict_function = self.make_predict_function()
        with torch.no_grad():
            out = _predict_batch(
                predict_function,
                self._direct_predictor_for(predict_function), batch)
        return tree.map_structure(_to_numpy, out)

    def _direct_predictor_for(self, predict_function):
        """The model's direct predictor (``Functional._direct_predictor``)
        when ``predict_function`` is ours and the model offers one."""
        direct = getattr(self, "_direct_predictor", None)
        if direct is None or not getattr(predict_function, "_plain", False):
            return None
        return direct()

    def _format_batch_logs(self, logs, return_dict):
        logs = to_python_logs(logs)
        if return_dict:
            return logs
        values = [logs[n] for n in self.metrics_names if n in logs]
        return values[0] if len(values) == 1 else values

    # ------------------------------------------------------------------
    # tf.keras 2 generator spellings.

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1,
                      verbose=1, callbacks=None, validation_data=None,
                      validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True,
                      initial_epoch=0, **kwargs):
        """Deprecated tf.keras 2 spelling of ``fit`` for generators.

        Keras 1's ``samples_per_epoch``, ``nb_epoch``, ``nb_val_samples``
        are converted as ``layers/legacy_interfaces.py`` says.
        """
        if kwargs:
            generator, named = legacy_interfaces.generator_args(
                "fit_generator", generator,
                {"steps_per_epoch": steps_per_epoch, "epochs": epochs,
                 "validation_data": validation_data,
                 "validation_steps": validation_steps}, kwargs)
            steps_per_epoch, epochs = named["steps_per_epoch"], named[
                "epochs"]
            validation_data = named["validation_data"]
            validation_steps = named["validation_steps"]
        warnings.warn(
            "`Model.fit_generator` is deprecated and will be removed in a "
            "future version. Please use `Model.fit`, which supports "
            "generators.", stacklevel=2)
        return self.fit(
            generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
            verbose=verbose, callbacks=callbacks,
            validation_data=validation_data,
            validation_steps=validation_steps,
            validation_freq=validation_freq, class_weight=class_weight,
            shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None,
                           max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0,
                           **kwargs):
        """Deprecated tf.keras 2 spelling of ``evaluate``."""
        if kwargs:  # Keras 1's `val_samples`
            generator, named = legacy_interfaces.generator_args(
                "evaluate_generator", generator, {"steps": steps}, kwargs)
            steps = named["steps"]
        warnings.warn(
            "`Model.evaluate_generator` is deprecated and will be removed "
            "in a future version. Please use `Model.evaluate`, which "
            "supports generators.", stacklevel=2)
        return self.evaluate(generator, steps=steps, callbacks=callbacks,
                             verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None,
                          max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0,
                          **kwargs):
        """Deprecated tf.keras 2 spelling of ``predict``."""
        if kwargs:  # Keras 1's `val_samples`
            generator, named = legacy_interfaces.generator_args(
                "predict_generator", generator, {"steps": steps}, kwargs)
            steps = named["steps"]
        warnings.warn(
            "`Model.predict_generator` is deprecated and will be removed in "
            "a future version. Please use `Model.predict`, which supports "
            "generators.", stacklevel=2)
        return self.predict(generator, steps=steps, callbacks=callbacks,
                            verbose=verbose)

def _with_loss_scaling(optimizer, policy, auto_scale_loss):
    """Keras wraps the optimizer in a LossScaleOptimizer for float16."""
    if (auto_scale_loss and policy.name == "mixed_float16"
            and optimizer is not None
            and not isinstance(optimizer, LossScaleOptimizer)):
        return LossScaleOptimizer(optimizer, name="loss_scale_optimizer")
    return optimizer


def _flat_logs(logs):
    """Logs with nested result dicts (``compile_metrics``) merged in."""
    if isinstance(logs, _LazyLogs) or not any(
            isinstance(v, dict) for v in logs.values()):
        return logs
    flat = {}
    for key, value in logs.items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat

def _step(function, data):
    """``function(data)`` as one engine step: the model's outermost calls
    in it return plain tensors, not ``EagerTensor``s (nothing there reads
    them as NumPy, and the step's fast paths test for plain tensors)."""
    context = CALL_CONTEXT
    outer = context.in_step
    context.in_step = True
    try:
        return function(data)
    finally:
        context.in_step = outer


def _named_step(function):
    """``function`` with a collective failure inside it (a rank that
    stopped answering during the gradient all-reduce) raised as
    `StalledRankError` naming the rank."""
    def named_step(data):
        with distribute.named_failures():
            return function(data)
    return named_step


def _replica_averaged_step(model, function):
    """A custom ``train_step`` made data-parallel, as tf.keras's
    ``apply_gradients`` is under ``MirroredStrategy``: every optimizer step
    in it updates with the mean of the ranks' gradients, each rank's
    weighed by its share of the global batch (see
    `distribute._averaged_optimizer_steps`). The model is not in DDP: a
    ``super().train_step(data)`` in it runs the model itself, without the
    built-in step's loss scaling, which the averaging applies instead.

    Before its first step every rank takes rank 0's weights (DDP's wrapper
    does that for the built-in step); weights the step itself creates
    (a model built on its first call) take them at their optimizer's
    first step."""
    d = model.__dict__
    synced = set()

    def averaged_step(data):
        if not synced:
            weights = list(model.parameters()) + list(model.buffers())
            if weights:
                distribute._broadcast_from_first(weights)
                synced.update(id(w) for w in weights)
        ddp, scale = d["_ddp_forward"], d["_replica_loss_scale"]
        d["_ddp_forward"], d["_replica_loss_scale"] = None, 1.0
        try:
            with distribute._averaged_optimizer_steps(scale, synced):
                return function(data)
        finally:
            d["_ddp_forward"], d["_replica_loss_scale"] = ddp, scale

    return averaged_step


def _predict_batch(predict_function, direct, batch):
    """One batch of ``predict``: the direct predictor where it takes the
    batch, else ``predict_function``."""
    x, y, sample_weight = batch
    if y is None and sample_weight is None:
        if direct is not None:
            out = direct(x)
            if out is not NotImplemented:
                return out
        return _step(predict_function, (x,))
    return _step(predict_function, _pack(batch))


def _pack(batch):
    x, y, sw = batch
    return data_adapter.pack_x_y_sample_weight(x, y, sw)

def _first_leaf(x):
    for leaf in tree.flatten(x):
        if leaf is not None:
            return leaf
    return None

def _batch_size(x, y_pred):
    leaf = _first_leaf(y_pred)
    if torch.is_tensor(leaf) and leaf.dim():
        return leaf.shape[0]
    leaf = _first_leaf(x)
    return leaf.shape[0] if hasattr(leaf, "shape") else len(leaf)

def _to_numpy(v):
    if torch.is_tensor(v):
        return v.detach().cpu().numpy()
    return v

def _resolve_verbose(verbose):
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2):
        raise ValueError(
            "`verbose` must be 0, 1, 2 or 'auto'. Received: "
            f"verbose={verbose!r}"
        )
    return verbose

def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(
        value, (bool, np.bool_))


def _check_batch_size(name, value):
    if value is not None and not (_is_int(value) and value > 0):
        raise ValueError(
            f"Invalid value for argument `{name}`: expected a positive "
            f"integer or None. Received: {name}={value!r}"
        )


def _check_steps(name, value):
    """``value`` as a step count or None; tf.keras 2's ``-1`` means None
    (run until the data is exhausted)."""
    if value is None or _is_int(value) and value == -1:
        return None
    if not (_is_int(value) and value > 0):
        raise ValueError(
            f"Invalid value for argument `{name}`: expected a positive "
            "integer, or None (or -1) to run until the data is exhausted. "
            f"Received: {name}={value!r}"
        )
    return int(value)


def _check_epochs(epochs, initial_epoch):
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if not (_is_int(value) and value >= 0):
            raise ValueError(
                f"Invalid value for argument `{name}`: expected a "
                f"non-negative integer. Received: {name}={value!r}"
            )


def _check_validation_split(value):
    if value is None:  # as 0, which Keras's `if validation_split` allows
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)) or not (
                0 <= value < 1):
        raise ValueError(
            "`validation_split` must be a float between 0 and 1 (the "
            "fraction of the data held out; 1 excluded). Received: "
            f"validation_split={value!r}"
        )


def _all_finite(t):
    """Whether a float tensor holds no NaN/Inf: one host pass.

    A finite sum proves it (NaN and Inf propagate); only when the sum is
    not finite (bad values, or an overflow) is every element tested.
    """
    if t.is_cpu and t.dtype in (torch.float16, torch.float32,
                                torch.float64):
        array = t.detach().numpy().reshape(-1)
        with np.errstate(over="ignore", invalid="ignore"):
            if np.isfinite(np.add.reduce(array)):
                return True
        return bool(np.isfinite(array).all())
    return bool(torch.isfinite(t).all())


def _warn_non_finite(argument, structure):
    """Warns, naming ``argument``, when float arrays hold NaN or Inf."""
    for leaf in tree.flatten(structure):
        if (not torch.is_tensor(leaf) or not leaf.is_floating_point()
                or not leaf.numel() or _all_finite(leaf)):
            continue
        count = int((~torch.isfinite(leaf)).sum())
        warnings.warn(
            f"`{argument}` contains NaN or Inf values: the losses and "
            "gradients of the batches holding them will not be finite. "
            f"Received: {argument} with {count} non-finite value(s) of "
            f"{leaf.numel()}", stacklevel=4)
        return


def _class_weight_error(message, class_weight):
    return ValueError(f"{message} Received: class_weight={class_weight!r}")


def _class_weight_table(class_weight, classes, outputs):
    """The weight of each class index, as a tensor (checked first)."""
    if not isinstance(class_weight, dict):
        raise _class_weight_error(
            "`class_weight` must be a dict mapping class indices "
            "(integers) to weights.", class_weight)
    if outputs is not None and outputs > 1:
        raise _class_weight_error(
            "`class_weight` is only supported for Models with a single "
            f"output (this one has {outputs}).", class_weight)
    keys = [_class_index(k) for k in class_weight]
    values = list(class_weight.values())
    if any(k is None for k in keys):
        raise _class_weight_error(
            "`class_weight` keys must be class indices (non-negative "
            "integers).", class_weight)
    try:
        values = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise _class_weight_error(
            "`class_weight` values must be numbers.", class_weight) from e
    if not np.isfinite(values).all():
        warnings.warn(
            "`class_weight` contains NaN or Inf weights: the losses of the "
            "samples of those classes will not be finite. Received: "
            f"class_weight={class_weight!r}", stacklevel=4)
    if classes is not None:
        missing = sorted(set(range(classes)) - set(keys))
        if missing:
            raise _class_weight_error(
                "Expected `class_weight` to be a dict with keys from 0 to "
                f"one less than the number of classes ({classes}), but "
                f"class(es) {missing[:10]} have no weight.", class_weight)
    table = torch.ones(max(max(keys) + 1, classes or 0))
    table[keys] = torch.as_tensor(values, dtype=torch.float32)
    return table


def _class_index(key):
    """A ``class_weight`` key as a class index (``1``, ``1.0`` from
    ``np.unique`` of float labels, ``"1"`` from JSON), or None."""
    if isinstance(key, str) and key.isdigit():
        return int(key)
    if isinstance(key, (bool, np.bool_)):
        return None
    if isinstance(key, (int, float, np.integer, np.floating)) and (
            float(key).is_integer() and key >= 0):
        return int(key)
    return None


def _class_labels(y):
    """The class index of each sample (argmax of one-hot targets)."""
    labels = y
    if labels.dim() > 1 and labels.shape[-1] > 1:
        labels = labels.argmax(-1)
    return labels.reshape(labels.shape[0], -1)[:, 0].long()


def _missing_class_error(class_weight, labels):
    labels = labels.detach().cpu().numpy()
    known = np.asarray([_class_index(k) for k in class_weight])
    unweighted = np.unique(labels[~np.isin(labels, known)])[:10].tolist()
    return _class_weight_error(
        "Expected `class_weight` to be a dict with keys from 0 to one less "
        f"than the number of classes, but the labels hold class(es) "
        f"{unweighted} that have no weight.", class_weight)


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError(
                "`validation_freq` must be a positive integer or a list. "
                f"Received: validation_freq={validation_freq}"
            )
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq

def _compiled_or_eager(model):
    """``torch.compile(model)``, falling back to eager if compiling fails.

    Only the forward pass is compiled (the loss, backward and optimizer
    step run as usual), which is where torch.compile is reliable.
    """
    compiled = torch.compile(model)
    state = {"fn": compiled}

    def run(*args, **kwargs):
        try:
            return state["fn"](*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - reported, then eager
            if state["fn"] is model:
                raise
            warnings.warn(
                f"`jit_compile=True`: torch.compile of model "
                f"'{model.name}' failed ({type(e).__name__}: {e}); running "
                "eagerly instead.", stacklevel=2)
            state["fn"] = model
            return model(*args, **kwargs)

    return run

