"""``GradientTape``: tf.GradientTape's API on torch autograd.

torch records every operation on a tensor that requires grad, tape or no
tape, so this module does not record anything itself. A tape decides what
TF's tape decides and torch leaves to the caller: which sources get a
gradient (variables are watched automatically, constants only after
``watch``), whether the gradient graph is itself recorded
(``create_graph``, when an enclosing tape is recording: the gradient
penalty of WGAN-GP), and how often a tape may be asked (once unless
``persistent``). Outside a tape nothing changes: ``loss.backward()`` works
as usual.

The stack of recording tapes is per thread. Structures of sources (lists,
tuples, dicts) come back with the same structure. Nothing here knows about
layers or optimizers (``optimizers/base_optimizer.py`` owns
``apply_gradients`` / ``minimize``).
"""

import contextlib
import threading

import torch

from torchkeras.utils.registry import keras_export

_STATE = threading.local()
# How many live tapes turned on ``requires_grad`` of a watched tensor (by
# id): the last one to let go turns it off again.
_ENABLED_BY_TAPES = {}


def _recording_tapes():
    if not hasattr(_STATE, "tapes"):
        _STATE.tapes = []
    return _STATE.tapes


def _flatten(structure):
    """Leaves of nested lists/tuples/dicts, in a fixed order."""
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure, key=repr)
                for leaf in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in _flatten(item)]
    return [structure]


def _pack(structure, leaves):
    """Rebuilds ``structure`` with ``leaves`` (an iterator) in its place."""
    if isinstance(structure, dict):
        values = {key: _pack(structure[key], leaves)
                  for key in sorted(structure, key=repr)}
        return type(structure)((key, values[key]) for key in structure)
    if isinstance(structure, (list, tuple)):
        items = [_pack(item, leaves) for item in structure]
        if isinstance(structure, tuple) and hasattr(structure, "_fields"):
            return type(structure)(*items)
        return type(structure)(items)
    return next(leaves)


def _unconnected_mode(value):
    mode = getattr(value, "value", value)
    mode = str(mode).lower()
    if mode not in ("none", "zero"):
        raise ValueError(
            "`unconnected_gradients` must be 'none' or 'zero'. "
            f"Received: unconnected_gradients={value!r}"
        )
    return mode


def _differentiable(tensor):
    return (isinstance(tensor, torch.Tensor)
            and (tensor.is_floating_point() or tensor.is_complex()))


@keras_export("keras.GradientTape")
class GradientTape:
    """Records operations for automatic differentiation, as tf.GradientTape.

    Trainable variables (``keras.Variable``, any ``nn.Parameter`` that
    requires grad) are watched automatically; a constant tensor is watched
    with ``tape.watch(x)`` before it is used (this sets its
    ``requires_grad`` until the tape is done with it: after a
    non-persistent tape's gradient, at ``reset()``, or when the tape is
    collected; a non-trainable variable watched once does not become
    trainable). A non-persistent tape answers one
    ``gradient`` (or ``jacobian``) call; a persistent one any number.
    While a tape records, ``gradient`` of an inner tape keeps the graph of
    the gradient so that the outer tape can differentiate it.

    Args:
        persistent: allow several ``gradient``/``jacobian`` calls.
        watch_accessed_variables: watch trainable variables automatically.
            With False, only sources passed to ``watch`` get gradients.

    Examples:
        >>> x = torch.tensor(3.0)
        >>> with keras.GradientTape() as tape:
        ...     tape.watch(x)
        ...     y = x * x
        >>> float(tape.gradient(y, x))
        6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._watched = []
        self._enabled = []  # watched tensors whose requires_grad we set
        self._used = False
        self._recording = False
        self._grad_mode = None

    def __del__(self):
        self._release()

    def __enter__(self):
        if self._recording:
            raise ValueError(
                "This GradientTape is already recording; a tape can be "
                "entered once at a time. Received: a nested `with` on the "
                "same tape"
            )
        self._grad_mode = torch.enable_grad()
        self._grad_mode.__enter__()
        self._recording = True
        _recording_tapes().append(self)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        tapes = _recording_tapes()
        if self in tapes:
            tapes.remove(self)
        self._recording = False
        self._grad_mode.__exit__(exc_type, exc_value, traceback)
        self._grad_mode = None
        return False

    # ------------------------------------------------------------------
    # What is watched.

    def watch(self, tensor):
        """Makes ``tensor`` (or each tensor of a structure) a source.

        Integer and boolean tensors cannot be differentiated and are
        ignored, as TF does.
        """
        for leaf in _flatten(tensor):
            if not isinstance(leaf, torch.Tensor):
                raise ValueError(
                    "`GradientTape.watch` takes tensors or variables. "
                    f"Received: {type(leaf).__name__}"
                )
            if not _differentiable(leaf):
                continue
            if not any(leaf is w for w in self._watched):
                self._watched.append(leaf)
                if not leaf.requires_grad or id(leaf) in _ENABLED_BY_TAPES:
                    leaf.requires_grad_(True)
                    _ENABLED_BY_TAPES[id(leaf)] = _ENABLED_BY_TAPES.get(
                        id(leaf), 0) + 1
                    self._enabled.append(leaf)

    def _release(self):
        """Turns off ``requires_grad`` where this tape turned it on and no
        other live tape still needs it."""
        enabled, self._enabled = self._enabled, []
        for leaf in enabled:
            count = _ENABLED_BY_TAPES.get(id(leaf), 0) - 1
            if count > 0:
                _ENABLED_BY_TAPES[id(leaf)] = count
                continue
            _ENABLED_BY_TAPES.pop(id(leaf), None)
            if leaf.is_leaf:
                leaf.requires_grad_(False)

    def watched_variables(self):
        """The tensors passed to ``watch`` and the variables seen as
        sources by ``gradient``/``jacobian`` (torch does not report which
        variables a computation read until it is differentiated)."""
        return tuple(self._watched)

    def _is_watched(self, source):
        if any(source is w for w in self._watched):
            return True
        if isinstance(source, torch.nn.Parameter):
            return self._watch_accessed_variables
        return True  # a tensor computed from watched ones, as TF

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stops recording (``torch.no_grad`` inside)."""
        if not self._recording:
            raise RuntimeError(
                "`stop_recording` needs a recording tape: use it inside "
                "the tape's `with` block. Received: a tape that is not "
                "recording"
            )
        tapes = _recording_tapes()
        index = tapes.index(self)
        tapes.pop(index)
        self._recording = False
        try:
            with torch.no_grad():
                yield
        finally:
            tapes.insert(index, self)
            self._recording = True

    def reset(self):
        """Forgets the watched tensors and allows a new ``gradient``
        call. Operations recorded before stay in torch's graph."""
        self._release()
        self._watched = []
        self._used = False

    # ------------------------------------------------------------------
    # Differentiation.

    def _start_use(self, method):
        if self._used and not self._persistent:
            raise RuntimeError(
                "A non-persistent GradientTape can only be used to compute "
                "one set of gradients (or jacobians). Create the tape with "
                f"`persistent=True` for several calls. Received: a second "
                f"`{method}` call"
            )
        self._used = True

    def _create_graph(self):
        """Whether some tape is recording the gradient computation."""
        return any(t is not self or t._persistent
                   for t in _recording_tapes())

    def _grads(self, targets, sources, grad_outputs, create_graph):
        """``torch.autograd.grad`` with None for unconnected sources."""
        result = [None] * len(sources)
        targets_and_outputs = [
            (t, g) for t, g in zip(targets, grad_outputs)
            if isinstance(t, torch.Tensor) and t.requires_grad
        ]
        wanted = [i for i, s in enumerate(sources)
                  if _differentiable(s) and s.requires_grad
                  and self._is_watched(s)]
        if not targets_and_outputs or not wanted:
            return result
        outputs, grad_tensors = zip(*targets_and_outputs)
        with torch.enable_grad():
            grads = torch.autograd.grad(
                outputs, [sources[i] for i in wanted],
                grad_outputs=grad_tensors, retain_graph=True,
                create_graph=create_graph, allow_unused=True,
            )
        for i, g in zip(wanted, grads):
            result[i] = g
        return result

    def _note_sources(self, sources):
        for s in sources:
            if isinstance(s, torch.nn.Parameter) and self._is_watched(s) and (
                    not any(s is w for w in self._watched)):
                self._watched.append(s)

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients="none"):
        """Gradients of ``target`` (summed over its elements and over
        every tensor of a structure) with respect to ``sources``.

        Args:
            target: a tensor or a structure of tensors.
            sources: a tensor, variable or nested list/tuple/dict of them.
            output_gradients: the upstream gradients, one per target
                tensor (ones by default).
            unconnected_gradients: ``"none"`` (default) returns None for a
                source the target does not depend on; ``"zero"`` zeros.

        Returns:
            The gradients, in the structure of ``sources``.

        Raises:
            RuntimeError: on a second call to a non-persistent tape.
        """
        mode = _unconnected_mode(unconnected_gradients)
        self._start_use("gradient")
        if sources is None:
            raise ValueError(
                "`GradientTape.gradient` needs sources. Received: "
                "sources=None"
            )
        flat_sources = _flatten(sources)
        for s in flat_sources:
            if not isinstance(s, torch.Tensor):
                raise ValueError(
                    "Each source of `GradientTape.gradient` must be a "
                    f"tensor or variable. Received: {type(s).__name__}"
                )
        targets = _flatten(target)
        if output_gradients is None:
            grad_outputs = [
                torch.ones_like(t) if isinstance(t, torch.Tensor) else None
                for t in targets
            ]
        else:
            grad_outputs = _flatten(output_gradients)
            if len(grad_outputs) != len(targets):
                raise ValueError(
                    "`output_gradients` must match the structure of "
                    f"`target`: {len(targets)} tensor(s). Received: "
                    f"{len(grad_outputs)} output gradient(s)"
                )
            grad_outputs = [
                torch.ones_like(t) if g is None else torch.as_tensor(
                    g, dtype=t.dtype, device=t.device)
                for t, g in zip(targets, grad_outputs)
            ]
        self._note_sources(flat_sources)
        grads = self._grads(targets, flat_sources, grad_outputs,
                            self._create_graph())
        if mode == "zero":
            grads = [torch.zeros_like(s) if g is None else g
                     for g, s in zip(grads, flat_sources)]
        self._done_if_single_use()
        return _pack(sources, iter(grads))

    def _done_if_single_use(self):
        if not self._persistent:
            self._release()

    def jacobian(self, target, sources, unconnected_gradients="none",
                 parallel_iterations=None, experimental_use_pfor=True):
        """The jacobian of ``target`` with respect to each source: shape
        ``target.shape + source.shape``, in the structure of ``sources``.
        """
        del parallel_iterations, experimental_use_pfor  # TF tuning knobs
        mode = _unconnected_mode(unconnected_gradients)
        self._start_use("jacobian")
        flat_sources = _flatten(sources)
        self._note_sources(flat_sources)
        target = torch.as_tensor(target)
        flat_target = target.reshape(-1)
        create_graph = self._create_graph()
        rows = []
        for i in range(flat_target.numel()):
            rows.append(self._grads([flat_target[i]], flat_sources,
                                    [torch.ones_like(flat_target[i])],
                                    create_graph))
        result = []
        for j, s in enumerate(flat_sources):
            column = [row[j] for row in rows]
            if flat_target.numel() and all(g is None for g in column):
                result.append(None if mode == "none" else torch.zeros(
                    tuple(target.shape) + tuple(s.shape),
                    dtype=s.dtype, device=s.device))
                continue
            column = [torch.zeros_like(s) if g is None else g
                      for g in column]
            if column:
                stacked = torch.stack(column)
            else:
                stacked = torch.zeros((0,) + tuple(s.shape), dtype=s.dtype,
                                      device=s.device)
            result.append(stacked.reshape(
                tuple(target.shape) + tuple(s.shape)))
        self._done_if_single_use()
        return _pack(sources, iter(result))

    def batch_jacobian(self, target, source, unconnected_gradients="none",
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example jacobians: ``target[i]`` with respect to
        ``source[i]``, shape ``(batch,) + target.shape[1:] +
        source.shape[1:]``. Assumes, as TF does, that ``target[i]`` depends
        only on ``source[i]``.
        """
        del parallel_iterations, experimental_use_pfor  # TF tuning knobs
        mode = _unconnected_mode(unconnected_gradients)
        self._start_use("batch_jacobian")
        if target.ndim < 1 or source.ndim < 1 or (
                target.shape[0] != source.shape[0]):
            raise ValueError(
                "`batch_jacobian` needs a target and a source with the same "
                "first (batch) dimension. Received: target.shape="
                f"{tuple(target.shape)}, source.shape={tuple(source.shape)}"
            )
        self._note_sources([source])
        batch = target.shape[0]
        flat_target = target.reshape(batch, -1)
        create_graph = self._create_graph()
        columns = []
        for j in range(flat_target.shape[1]):
            column = flat_target[:, j]
            (g,) = self._grads([column], [source], [torch.ones_like(column)],
                               create_graph)
            columns.append(g)
        self._done_if_single_use()
        shape = tuple(target.shape) + tuple(source.shape[1:])
        if columns and all(g is None for g in columns):
            if mode == "none":
                return None
            return torch.zeros(shape, dtype=source.dtype,
                               device=source.device)
        columns = [torch.zeros_like(source) if g is None else g
                   for g in columns]
        if not columns:
            return torch.zeros(shape, dtype=source.dtype,
                               device=source.device)
        stacked = torch.stack(columns, dim=1)  # (batch, n, *source[1:])
        return stacked.reshape(shape)
