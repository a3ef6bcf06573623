"""What ``compile(loss=..., metrics=..., loss_weights=...)`` turns into.

``CompileLoss`` maps the user's loss spec (one loss, a list, or a dict keyed
by output name) onto the model's outputs and sums the weighted losses.
``CompileMetrics`` does the same for metrics, resolving ``'accuracy'`` to
the binary, sparse or categorical variant from the shapes and the loss, as
tf.keras does, and naming them as Keras logs do (``accuracy``, or
``output1_accuracy`` with several outputs). Both are built on the first
batch, when the shapes of targets and predictions are known.
"""

import copy

import numpy as np
import torch

from torchkeras import losses as losses_module
from torchkeras import metrics as metrics_module
from torchkeras.losses.probabilistic import NO_IGNORE_INDEX
from torchkeras.losses.probabilistic import sparse_label_error
from torchkeras.utils import tree

_LOGIT_LOSSES = {
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
}


def _flatten_by_names(value, names, what):
    """``value`` (single, list or dict keyed by output name) as a list."""
    if value is None:
        return [None] * len(names)
    if isinstance(value, dict):
        unknown = set(value) - set(names)
        if unknown:
            raise ValueError(
                f"Unknown entries in {what} dictionary: {sorted(unknown)}. "
                f"Only expected the following keys: {names}"
            )
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and len(names) > 1:
        if len(value) != len(names):
            raise ValueError(
                f"When there are multiple outputs, {what} should be a list "
                f"with one entry per output ({len(names)} outputs: "
                f"{names}). Received: {what}={value}"
            )
        return list(value)
    if isinstance(value, (list, tuple)) and len(names) == 1 and (
            len(value) == 1):
        return list(value)
    return [value]


def flatten_outputs(y_pred, names):
    if isinstance(y_pred, dict):
        return [y_pred[n] for n in names]
    if isinstance(y_pred, (list, tuple)):
        return list(y_pred)
    return [y_pred]


def flatten_targets(y_true, names):
    if y_true is None:
        return [None] * len(names)
    if isinstance(y_true, dict):
        unknown = set(y_true) - set(names)
        if unknown:
            raise ValueError(
                f"Unknown keys in the targets: {sorted(unknown)}. Expected "
                f"the model's output names: {names}"
            )
        return [y_true.get(n) for n in names]
    if isinstance(y_true, (list, tuple)) and len(names) > 1:
        if len(y_true) != len(names):
            raise ValueError(
                f"The model has {len(names)} outputs ({names}), but the "
                f"targets have {len(y_true)} entries."
            )
        return list(y_true)
    if isinstance(y_true, (list, tuple)) and len(y_true) == 1:
        return list(y_true)
    return [y_true]


def get_loss(identifier):
    """A callable ``loss(y_true, y_pred, sample_weight)`` and its name."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        fn = losses_module.get(identifier)
        if not isinstance(fn, losses_module.Loss):
            fn = losses_module.LossFunctionWrapper(fn, name=identifier)
        return fn
    if isinstance(identifier, losses_module.Loss):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier,
                                                   losses_module.Loss):
        return identifier()
    if callable(identifier):
        return losses_module.LossFunctionWrapper(
            identifier, name=getattr(identifier, "__name__", "loss"))
    return get_loss(losses_module.get(identifier))


def _logits_twin(loss):
    """The same loss taking logits, for outputs that carry their logits.

    A softmax/sigmoid output keeps its logits in ``_keras_logits`` (as
    tf.keras does); computing the crossentropy from them is what tf.keras
    does too, fused and numerically stable. The twin keeps every other
    argument of the loss (``ignore_class``, ``label_smoothing``, ``axis``,
    ``dtype``), or there is no twin.
    """
    if type(loss) is losses_module.LossFunctionWrapper:
        name = _LOGIT_LOSSES.get(getattr(loss.fn, "__name__", None))
        kwargs = dict(loss._fn_kwargs)
        if name is None or kwargs.pop("from_logits", False):
            return None
        cls = getattr(losses_module, name)
        try:
            return cls(from_logits=True, reduction=loss.reduction,
                       dtype=loss.dtype, **kwargs)
        except TypeError:  # an argument the class does not take
            return None
    for cls_name in _LOGIT_LOSSES.values():
        cls = getattr(losses_module, cls_name)
        if type(loss) is cls:
            config = loss.get_config()
            if config.get("from_logits"):
                return None
            config["from_logits"] = True
            config["dtype"] = loss.dtype
            return cls.from_config(config)
    return None


class CompileLoss:
    """The weighted sum of one loss per output."""

    def __init__(self, loss, loss_weights=None, output_names=None,
                 model=None):
        self._spec = loss
        self._weights_spec = loss_weights
        self.output_names = output_names
        self.built = False
        self._model = model

    def build(self, output_names):
        self.output_names = list(output_names)
        specs = _flatten_by_names(self._spec, self.output_names, "loss")
        if not isinstance(self._spec, (list, tuple, dict)):
            specs = [self._spec] * len(self.output_names)
        weights = _flatten_by_names(self._weights_spec, self.output_names,
                                    "loss_weights")
        if (not isinstance(self._weights_spec, (list, tuple, dict))
                and self._weights_spec is not None):
            weights = [self._weights_spec] * len(self.output_names)
        self.entries = []
        for index, (spec, weight) in enumerate(zip(specs, weights)):
            loss = get_loss(spec)
            if loss is None:
                continue
            self.entries.append((index, loss, _logits_twin(loss),
                                 1.0 if weight is None else float(weight)))
        self.built = True

    @property
    def losses(self):
        return [entry[1] for entry in self.entries]

    def __call__(self, y_true, y_pred, sample_weight=None,
                 regularization_losses=None):
        """tf.keras 2's ``self.compiled_loss(...)`` in a ``train_step``.

        Returns the total loss (``regularization_losses`` included) and,
        as tf.keras 2 does, records it in the model's loss tracker (and
        each output's loss with several outputs), so ``logs["loss"]`` is
        right. The engine's own step calls ``compute``, which records
        nothing.
        """
        model = self._model
        if not self.built and model is not None:
            self.build(model._output_names_for(y_pred))
        total = self.compute(y_true, y_pred, sample_weight,
                             regularization_losses)
        if model is not None:
            model._track_compiled_loss(total, self.last_values, y_true,
                                       y_pred)
            # The shapes are known now: `model.metrics` lists the compiled
            # metrics themselves before the step updates them.
            metrics = model.compiled_metrics
            if (metrics is not None and not metrics.built
                    and y_true is not None):
                metrics._build_from_model(y_true, y_pred)
        return total

    def compute(self, y_true, y_pred, sample_weight=None,
                regularization_losses=None):
        """The total loss, recording nothing."""
        if not self.built:
            names = self.output_names or [
                f"output_{i + 1}" for i in range(
                    len(flatten_outputs(y_pred, [])) or 1)]
            self.build(names)
        names = self.output_names
        preds = flatten_outputs(y_pred, names)
        trues = flatten_targets(y_true, names)
        weights = (flatten_targets(sample_weight, names)
                   if isinstance(sample_weight, (list, tuple, dict))
                   else [sample_weight] * len(names))
        total = None
        self.last_values = []
        for index, loss, twin, weight in self.entries:
            pred = preds[index]
            if trues[index] is None:
                raise ValueError(
                    f"No target was given for output '{names[index]}', "
                    "which has a loss. Pass it in `y`."
                )
            if type(trues[index]) is np.ndarray:  # strings stay NumPy
                error = non_numeric_target_error(loss, trues[index],
                                                 names[index])
                if error is not None:
                    raise error
            value = _entry_loss(loss, twin, trues[index], pred,
                                weights[index])
            self.last_values.append(value)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        if regularization_losses:
            reg = torch.stack([torch.as_tensor(r).reshape(())
                               for r in regularization_losses]).sum()
            total = reg if total is None else total + reg
        if total is None:
            total = torch.zeros(())
        return total


def _entry_loss(loss, twin, y_true, pred, sample_weight):
    """One output's loss (from the cached logits where it has them)."""
    logits = getattr(pred, "_keras_logits", None)
    if twin is not None and logits is not None:
        value = _fast_sparse_ce(twin, y_true, logits, sample_weight)
        if value is None:
            value = twin(y_true, logits, sample_weight)
        return value
    return loss(y_true, pred, sample_weight)


def non_numeric_target_error(loss, y_true, output_name):
    """The ``ValueError`` for string/object targets, or None.

    torch losses only take numbers; without this the user sees torch's
    ``TypeError`` about ``numpy.object_``.
    """
    leaves = [v for v in tree.flatten(y_true) if v is not None]
    for leaf in leaves:
        if isinstance(leaf, np.ndarray) and leaf.dtype.kind in "OUSV":
            example = leaf.reshape(-1)[0] if leaf.size else None
            name = getattr(loss, "name", None) or getattr(
                loss, "__name__", type(loss).__name__)
            return ValueError(
                f"Output '{output_name}' has loss `{name}`, which needs "
                "numeric targets, but `y` holds non-numeric values "
                "(convert labels to numbers first, e.g. with "
                "`keras.layers.StringLookup`). Received: y of dtype "
                f"{leaf.dtype} (e.g. {example!r})"
            )
    return None


def _fast_sparse_ce(loss, y_true, logits, sample_weight):
    """The common training case in one fused call, or None.

    Sparse labels of shape ``(n,)``/``(n, 1)``, logits ``(n, classes)``,
    no weights, mask or ``ignore_class``, Keras's default reduction: the
    loss is exactly ``F.cross_entropy`` (mean over the batch). Its kernel
    checks the label range as it reads the labels (``NO_IGNORE_INDEX``:
    not even torch's ``-100`` is skipped): a ``ValueError`` here on the
    CPU, the kernel's device assert on CUDA; no extra work per step.
    """
    if (sample_weight is not None
            or type(loss) is not losses_module.SparseCategoricalCrossentropy
            or loss.reduction != "sum_over_batch_size"
            or getattr(loss, "ignore_class", None) is not None
            or type(y_true) is not torch.Tensor or logits.dim() != 2
            or y_true.is_floating_point()
            or y_true.numel() != logits.shape[0]
            or getattr(logits, "_keras_mask", None) is not None
            or logits.dtype != loss._torch_dtype):
        return None
    if y_true.dim() != 1:
        y_true = y_true.reshape(-1)
    if y_true.dtype is not torch.int64:
        y_true = y_true.long()
    try:
        return torch.nn.functional.cross_entropy(
            logits, y_true, ignore_index=NO_IGNORE_INDEX)
    except (IndexError, RuntimeError) as e:
        error = sparse_label_error(loss.name, y_true, logits.shape[1])
        if error is None:
            raise
        raise error from e


def _accuracy_variant(y_true, y_pred, loss):
    """tf.keras's choice of accuracy for ``'accuracy'``/``'acc'``."""
    pred_rank = y_pred.dim()
    true_rank = y_true.dim() if y_true is not None else pred_rank
    pred_last = y_pred.shape[-1] if pred_rank else 1
    true_last = y_true.shape[-1] if (y_true is not None and true_rank) else 1
    loss_fn = getattr(loss, "fn", None)
    is_bce = (isinstance(loss, losses_module.BinaryCrossentropy)
              or getattr(loss_fn, "__name__", "") == "binary_crossentropy")
    if pred_last == 1 or is_bce:
        return metrics_module.BinaryAccuracy
    if true_rank < pred_rank or (true_last == 1 and pred_last > 1):
        return metrics_module.SparseCategoricalAccuracy
    return metrics_module.CategoricalAccuracy


def get_metric(identifier, y_true, y_pred, loss):
    if identifier in ("accuracy", "acc"):
        cls = _accuracy_variant(y_true, y_pred, loss)
        return cls(name=identifier)
    if identifier in ("crossentropy", "ce"):
        acc = _accuracy_variant(y_true, y_pred, loss)
        cls = {
            metrics_module.BinaryAccuracy:
                metrics_module.BinaryCrossentropy,
            metrics_module.SparseCategoricalAccuracy:
                metrics_module.SparseCategoricalCrossentropy,
        }.get(acc, metrics_module.CategoricalCrossentropy)
        return cls(name=identifier)
    metric = metrics_module.get(identifier)
    if isinstance(metric, metrics_module.Metric):
        if isinstance(identifier, str):
            metric = copy.deepcopy(metric)
            metric.name = identifier
        return metric
    if isinstance(metric, type) and issubclass(metric, metrics_module.Metric):
        return metric()
    name = identifier if isinstance(identifier, str) else getattr(
        metric, "__name__", "metric")
    return metrics_module.MeanMetricWrapper(metric, name=name)


class CompileMetrics:
    """The compiled metrics of every output, with Keras log names."""

    name = "compile_metrics"

    def __init__(self, metrics, weighted_metrics, output_names=None,
                 model=None):
        self._metrics_spec = metrics
        self._weighted_spec = weighted_metrics
        self.output_names = output_names
        self.built = False
        self.metrics = []  # (output index, metric, weighted)
        self._model = model

    def _build_from_model(self, y_true, y_pred):
        model = self._model
        self.output_names = model._output_names_for(y_pred)
        device = tree.flatten(y_pred)[0].device
        self.build(y_true, y_pred, model.compiled_loss, device)

    def _per_output(self, spec):
        names = self.output_names
        if spec is None:
            return [[] for _ in names]
        if isinstance(spec, dict):
            per = _flatten_by_names(spec, names, "metrics")
            return [list(p) if isinstance(p, (list, tuple)) else (
                [] if p is None else [p]) for p in per]
        if not isinstance(spec, (list, tuple)):
            spec = [spec]
        if spec and all(isinstance(s, (list, tuple)) or s is None
                        for s in spec) and len(names) > 1:
            if len(spec) != len(names):
                raise ValueError(
                    f"When passing a list of lists as `metrics`, it should "
                    f"have one entry per output ({names}). Received: "
                    f"metrics={spec}"
                )
            return [list(s or []) for s in spec]
        return [list(spec) for _ in names]

    def build(self, y_true, y_pred, loss_container, device=None):
        names = self.output_names
        trues = flatten_targets(y_true, names)
        preds = flatten_outputs(y_pred, names)
        losses_by_output = {}
        if loss_container is not None and loss_container.built:
            losses_by_output = {e[0]: e[1] for e in loss_container.entries}
        used = set()
        for weighted, spec in ((False, self._metrics_spec),
                               (True, self._weighted_spec)):
            for index, specs in enumerate(self._per_output(spec)):
                for identifier in specs:
                    metric = get_metric(identifier, trues[index],
                                        preds[index],
                                        losses_by_output.get(index))
                    if id(metric) in used:
                        metric = copy.deepcopy(metric)
                    used.add(id(metric))
                    base = metric.name
                    if weighted and self._metrics_spec and any(
                            m.name == base for _, m, w in self.metrics
                            if not w):
                        base = "weighted_" + base
                    if len(names) > 1:
                        base = f"{names[index]}_{base}"
                    metric.name = base
                    if device is not None:
                        metric.to(device)
                    self.metrics.append((index, metric, weighted))
        self.built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.built:
            self._build_from_model(y_true, y_pred)
        names = self.output_names
        trues = flatten_targets(y_true, names)
        preds = flatten_outputs(y_pred, names)
        weights = (flatten_targets(sample_weight, names)
                   if isinstance(sample_weight, (list, tuple, dict))
                   else [sample_weight] * len(names))
        for index, metric, weighted in self.metrics:
            metric.update_state(trues[index], preds[index],
                                sample_weight=weights[index] if weighted
                                else None)

    def reset_state(self):
        for _, metric, _ in self.metrics:
            metric.reset_state()

    def result(self):
        return {metric.name: metric.result()
                for _, metric, _ in self.metrics}

    @property
    def flat_metrics(self):
        return [m for _, m, _ in self.metrics]
