"""Object checkpoints: the file of a ``tf.train.Checkpoint`` of named objects.

``tf.train.Checkpoint(generator=g, generator_optimizer=opt, step=v)``
saves every object it names into one checkpoint; this module owns that
file. It keeps TF's layout and the native checkpoint's conventions
(``checkpoint.py``): ``<prefix>.index`` is a small JSON naming the format,
``<prefix>.data-00000-of-00001`` holds every tensor (safetensors with
per-tensor SHA-256), each written atomically. The folder's ``checkpoint``
state file is the caller's (``compat/tf/train.py``).

Tensor keys start with the object's name:

- a model (any torchkeras layer): ``<name>/<structure path>``
  (``generator/layers/dense/kernel``, ``weight_paths.structure_names``:
  attribute paths, so any instance built the same way matches), in Keras
  layouts;
- a tensor (a ``tf.Variable``, a parameter): ``<name>``;
- a Keras optimizer: ``<name>/<i>``, its ``variables`` in Keras 3's order
  (slots in torch layouts, as the native checkpoint keeps them: they
  restore into a torchkeras optimizer whatever models the restoring
  Checkpoint holds);
- a ``torch.optim`` optimizer: ``<name>/<param index>/<slot>`` of its
  ``state_dict`` (the rest of it is JSON in the metadata).

The metadata's ``objects`` (JSON) records each object's kind and, for an
optimizer, which object and structure path each of its parameters belongs
to: a fresh optimizer (the program was restarted) is then built on the
restored models' parameters before its slots are assigned, as TF creates
slot variables on restore. Nothing is pickled.

Restoring checks everything it can (kinds, shapes, dtypes, the optimizers'
layouts) before it assigns anything, so a failed restore leaves every
object as it was, and returns an ``ObjectCheckpointStatus``. A model that
is not built yet (a subclassed model before its first call) gets its
values at its first call (``deferred``), and an optimizer built on its
parameters right after. Files of the single-model native format
(``checkpoint.FORMAT``) are read and restored by ``checkpoint.py``.
"""

import collections
import contextlib
import copy
import json
import os

import numpy as np
import torch

from torchkeras.layers.layer import Layer
from torchkeras.optimizers import optimizer_state
from torchkeras.saving import atomic
from torchkeras.saving import checkpoint as native
from torchkeras.saving import deferred
from torchkeras.saving import safetensors_io
from torchkeras.saving import weight_paths
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

FORMAT = "torchkeras-object-checkpoint-v1"
MODEL = "model"
VARIABLE = "variable"
KERAS_OPTIMIZER = "keras_optimizer"
TORCH_OPTIMIZER = "torch_optimizer"
_KINDS = (MODEL, VARIABLE, KERAS_OPTIMIZER, TORCH_OPTIMIZER)
_OPTIMIZERS = (KERAS_OPTIMIZER, TORCH_OPTIMIZER)
_FLAVOR = optimizer_state.FLAVOR_KERAS3
_TORCH_PREFIX = "torch_optimizer/"  # ``checkpoint._optimizer_tensors``'s


def kind_of(obj):
    """The kind of object a checkpoint holds (``MODEL``, ...), or None."""
    if isinstance(obj, Layer):
        return MODEL
    if isinstance(obj, optimizer_state.KerasVariablesMixin):
        return KERAS_OPTIMIZER
    if isinstance(obj, torch.optim.Optimizer):
        return TORCH_OPTIMIZER
    if torch.is_tensor(obj):
        return VARIABLE
    return None


def _dtype_name(tensor):
    return str(tensor.dtype).replace("torch.", "")


def _optimizer_params(opt):
    return [p for g in opt.param_groups for p in g["params"]]


def _param_refs(objects):
    """{id(tensor): [object name, structure path]} for every tensor the
    objects hold (a model's weights; a tensor object itself, path '')."""
    refs = {}
    for name, obj in objects.items():
        if kind_of(obj) == MODEL:
            for path, (_, w) in weight_paths.structure_names(obj).items():
                refs.setdefault(id(w), [name, path])
        elif kind_of(obj) == VARIABLE:
            refs.setdefault(id(obj), [name, ""])
    return refs


# Saving -----------------------------------------------------------------

def _save_model(name, model, refs):
    return {f"{name}/{path}": weight_paths.to_keras(owner, w) for path, (
        owner, w) in weight_paths.structure_names(model).items()}, {
        "class": type(model).__name__}


def _save_variable(name, tensor, refs):
    return {name: tensor.detach().cpu().clone()}, {
        "dtype": _dtype_name(tensor), "shape": list(tensor.shape)}


def _param_entry(opt, refs):
    params = _optimizer_params(opt)
    return {"params": [refs.get(id(p)) for p in params],
            "param_shapes": [list(p.shape) for p in params]}


def _save_keras_optimizer(name, opt, refs):
    entry = {"class": type(opt).__name__, "built": bool(opt.built)}
    if opt.built:  # else: its step count and learning rate, no slots yet
        entry.update(_param_entry(opt, refs))
    arrays = [v.detach().cpu().clone() for v in opt.variables]
    entry["count"] = len(arrays)
    return {f"{name}/{i}": a for i, a in enumerate(arrays)}, entry


def _save_torch_optimizer(name, opt, refs):
    tensors, meta = native._optimizer_tensors(opt)
    entry = {"class": type(opt).__name__,
             "param_groups": json.loads(meta.get("optimizer_groups", "[]")),
             "plain_state": json.loads(
                 meta.get("optimizer_plain_state", "{}"))}
    entry.update(_param_entry(opt, refs))
    return {f"{name}/{k[len(_TORCH_PREFIX):]}": v
            for k, v in tensors.items()}, entry


_SAVERS = {MODEL: _save_model, VARIABLE: _save_variable,
           KERAS_OPTIMIZER: _save_keras_optimizer,
           TORCH_OPTIMIZER: _save_torch_optimizer}


def save(objects, prefix, metadata=None):
    """Writes a checkpoint of ``objects`` ({name: object}) at ``prefix``.

    Args:
        objects: {name: model, optimizer or tensor}; a name may hold
            ``/`` (a nested ``tf.train.Checkpoint``'s objects).
        prefix: the checkpoint's path without its suffixes.
        metadata: extra string values kept in the data file.

    Raises:
        ValueError: for an object of another kind, or two objects whose
            tensors would get the same key.
    """
    refs = _param_refs(objects)
    tensors, entries = {}, {}
    for name, obj in objects.items():
        kind = kind_of(obj)
        if kind is None:
            raise ValueError(
                f"Cannot checkpoint object '{name}' of type "
                f"{type(obj).__name__}: not a layer, model, optimizer or "
                f"tensor. Received: {name}={obj!r}")
        own, entry = _SAVERS[kind](name, obj, refs)
        clash = sorted(set(own) & set(tensors))
        if clash:
            raise ValueError(
                f"Cannot checkpoint object '{name}': its value "
                f"'{clash[0]}' has the key of another object's value. "
                f"Rename one of them. Received: objects={sorted(objects)}")
        tensors.update(own)
        entries[name] = dict(entry, kind=kind)
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    meta.update({"format": FORMAT, "objects": json.dumps(entries)})
    with atomic.atomic_file(prefix + native.DATA_SUFFIX) as tmp:
        safetensors_io.write(tmp, tensors, meta)
    index = {"format": FORMAT,
             "data": os.path.basename(prefix) + native.DATA_SUFFIX}
    with atomic.atomic_file(prefix + native.INDEX_SUFFIX) as tmp:
        with open(tmp, "w", encoding="utf8") as f:
            json.dump(index, f)


# Reading ----------------------------------------------------------------

def _index_format(prefix):
    try:
        with open(prefix + native.INDEX_SUFFIX, "rb") as f:
            index = json.loads(f.read().decode("utf8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return index.get("format") if isinstance(index, dict) else None


def read(prefix):
    """``(tensors, metadata)`` of an object checkpoint, or of a native
    single-model one (``checkpoint.read`` then checks and reads it)."""
    if _index_format(prefix) != FORMAT:
        return native.read(prefix)
    data = prefix + native.DATA_SUFFIX
    if not os.path.exists(data):
        raise FileFormatError(
            prefix + native.INDEX_SUFFIX,
            f"the checkpoint's data file '{data}' is missing.")
    tensors, meta = safetensors_io.read(data)
    if meta.get("format") != FORMAT:
        raise FileFormatError(
            data, "a safetensors file, but not the data of the object "
                  f"checkpoint its index names ('{FORMAT}').")
    return tensors, meta


def _entries(data, meta):
    """The metadata's ``objects``, checked."""
    try:
        entries = json.loads(meta.get("objects", ""))
    except ValueError:
        entries = None
    if not isinstance(entries, dict) or not all(
            isinstance(e, dict) and e.get("kind") in _KINDS
            for e in entries.values()):
        raise FileFormatError(
            data, "the metadata 'objects' is missing or malformed: expected "
                  "a JSON object mapping each object's name to its kind "
                  f"({', '.join(_KINDS)}).")
    return entries


# Restoring --------------------------------------------------------------

def restore(objects, prefix, tensors, meta):
    """Restores ``read``'s result into ``objects``; returns the status.

    A native single-model file restores into exactly one model and at
    most one optimizer (``checkpoint.restore``'s status).

    Raises:
        WeightMismatchError: when a value does not fit its object (kind,
            shape, dtype, optimizer state); nothing is assigned then.
        FileFormatError: for a malformed file.
    """
    if meta.get("format") != FORMAT:
        return _restore_native(objects, prefix, tensors, meta)
    status = ObjectCheckpointStatus(
        objects, prefix + native.DATA_SUFFIX, tensors,
        _entries(prefix + native.DATA_SUFFIX, meta))
    status._restore_ready()
    for model in status._waiting_models():
        deferred.defer(model, _first_call(status, model))
    return status


def _first_call(status, model):
    def apply():
        status._restore_ready(built={id(model)})
    return apply


def _restore_native(objects, prefix, tensors, meta):
    unique = {id(o): o for o in objects.values()}.values()
    models = [o for o in unique if kind_of(o) == MODEL]
    opts = [o for o in unique if kind_of(o) in _OPTIMIZERS]
    if len(models) != 1 or len(opts) > 1 or len(models) + len(opts) < len(
            unique):
        raise ValueError(
            f"Checkpoint '{prefix}' holds one model and its optimizer "
            f"(format '{meta.get('format')}', written by an earlier "
            "torchkeras), so it restores into a tf.train.Checkpoint of "
            "exactly one model and at most one optimizer. Received: "
            f"objects={sorted(objects)}")
    model = models[0]
    with _lent_optimizer(model, opts[0] if opts else None):
        return native.restore(model, prefix, tensors, meta)


@contextlib.contextmanager
def _lent_optimizer(model, optimizer):
    """Makes ``optimizer`` the model's ``optimizer`` for a native restore
    (which takes the optimizer from the model)."""
    if optimizer is None or getattr(model, "optimizer", None) is optimizer:
        yield
        return
    had = "optimizer" in model.__dict__
    old = model.__dict__.get("optimizer")
    model.__dict__["optimizer"] = optimizer
    try:
        yield
    finally:
        if had:
            model.__dict__["optimizer"] = old
        else:
            del model.__dict__["optimizer"]


def _listing(names, limit=20):
    names = sorted(names)
    more = (f"\n  ... and {len(names) - limit} more"
            if len(names) > limit else "")
    return "\n".join(f"  {n}" for n in names[:limit]) + more


# What one object's restore does: ``items`` for ``assign_all`` (a model's
# weights), ``assign`` (a function, or None) and the ``keys`` it uses.
_Plan = collections.namedtuple("_Plan", ["items", "assign", "keys"])


class ObjectCheckpointStatus:
    """The status of a ``tf.train.Checkpoint`` restore, as TF's.

    Every ``assert_*`` method returns the status, so calls chain:
    ``ckpt.restore(path).expect_partial()``.
    """

    def __init__(self, objects, data_path, tensors, entries):
        self._objects = dict(objects)
        self._data_path = data_path
        self._tensors = tensors
        self._entries = entries
        self._consumed = set()
        self._done = set()
        for name, obj in self._objects.items():
            entry = entries.get(name)
            if entry is not None and entry["kind"] != kind_of(obj):
                raise WeightMismatchError(
                    data_path,
                    f"object '{name}' is a {kind_of(obj)} "
                    f"({type(obj).__name__}), but the checkpoint holds a "
                    f"{entry['kind']} under that name.")

    # Restoring ------------------------------------------------------------

    def _restore_ready(self, built=()):
        """Restores every object whose variables exist now (``built``:
        ids of models just built by their first call), all or nothing."""
        plans = []
        for name, obj in self._objects.items():
            if name in self._done or name not in self._entries:
                continue
            plan = getattr(self, "_plan_" + self._entries[name]["kind"])(
                name, obj, self._entries[name], built)
            if plan is not None:
                plans.append((name, plan))
        items = [item for _, plan in plans for item in plan.items]
        weight_paths.assign_all(self._data_path, items)  # checks shapes
        for name, plan in plans:
            if plan.assign is not None:
                plan.assign()
            self._done.add(name)
            self._consumed.update(plan.keys)
            if kind_of(self._objects[name]) == MODEL:
                deferred.cancel(self._objects[name])

    def _waits(self, model, built):
        return id(model) not in built and deferred.needs_deferral(model)

    def _value(self, key, name):
        if key not in self._tensors:
            raise FileFormatError(
                self._data_path,
                f"the value '{key}' of object '{name}' is missing.")
        return self._tensors[key]

    def _mismatch(self, message):
        return WeightMismatchError(self._data_path, message)

    def _plan_model(self, name, model, entry, built):
        if self._waits(model, built):
            return None
        names = weight_paths.structure_names(model)
        prefix = name + "/"
        items = [(owner, w, self._tensors[prefix + path], prefix + path)
                 for path, (owner, w) in names.items()
                 if prefix + path in self._tensors]
        stored = [k for k in self._tensors if k.startswith(prefix)]
        if stored and names and not items:
            raise self._mismatch(
                f"none of the {len(stored)} values of '{name}' matches "
                f"model '{model.name}': the checkpoint holds\n"
                f"{_listing([k[len(prefix):] for k in stored], 8)}\nand "
                f"the model has\n{_listing(names, 8)}\nWeights are matched "
                "by the model's structure (attribute names and layer "
                "positions), so the model must be built like the one that "
                "was saved.")
        return _Plan(items, None, [item[3] for item in items])

    def _plan_variable(self, name, tensor, entry, built):
        value = np.array(self._value(name, name))
        if tuple(value.shape) != tuple(tensor.shape) or entry.get(
                "dtype") != _dtype_name(tensor):
            raise self._mismatch(
                f"variable '{name}' has shape {tuple(tensor.shape)} and "
                f"dtype {_dtype_name(tensor)}; the checkpoint holds shape "
                f"{tuple(value.shape)} and dtype {entry.get('dtype')}. "
                f"Received: value.shape={tuple(value.shape)}")
        value = torch.from_numpy(value).to(dtype=tensor.dtype)

        def assign():
            with torch.no_grad():
                tensor.copy_(value.to(tensor.device))

        return _Plan([], assign, [name])

    def _check_params(self, name, params, entry):
        saved = [tuple(s) for s in entry.get("param_shapes", [])]
        have = [tuple(p.shape) for p in params]
        if saved != have:
            raise self._mismatch(
                f"optimizer '{name}' was saved for {len(saved)} variables "
                f"of shapes {saved[:6]}{' ...' if len(saved) > 6 else ''}, "
                f"but it updates {len(have)} of shapes {have[:6]}"
                f"{' ...' if len(have) > 6 else ''}.")

    def _resolve(self, name, entry, built):
        """The parameters the saved optimizer was built on, found in the
        restored objects; None while one's model waits for its call."""
        params = []
        for i, ref in enumerate(entry.get("params", [])):
            obj = self._objects.get(ref[0]) if ref else None
            hint = (f"Build it on its variables before restoring: "
                    f"`{name}.build(model.trainable_variables)`.")
            if obj is None:
                where = (f"'{ref[0]}', which this Checkpoint does not hold"
                         if ref else "no object of the checkpoint")
                raise self._mismatch(
                    f"optimizer '{name}' is not built, and its variable {i} "
                    f"belonged to {where}, so it cannot be built on "
                    f"restore. {hint}")
            if kind_of(obj) == VARIABLE:
                params.append(obj)
                continue
            if kind_of(obj) != MODEL:
                raise self._mismatch(
                    f"optimizer '{name}': its variable {i} belonged to "
                    f"'{ref[0]}', which is a {kind_of(obj)} here.")
            if self._waits(obj, built):
                return None
            found = weight_paths.structure_names(obj).get(ref[1])
            if found is None:
                raise self._mismatch(
                    f"optimizer '{name}' is not built, and its variable {i} "
                    f"('{ref[0]}/{ref[1]}') is not a variable of model "
                    f"'{obj.name}'. {hint}")
            params.append(found[1])
        return params

    def _prepared(self, name, opt, values):
        try:
            return opt.prepare_keras_variables(values, None, _FLAVOR)
        except ValueError as e:
            raise self._mismatch(
                f"the state of optimizer '{name}' does not fit it: {e}"
            ) from None

    def _plan_keras_optimizer(self, name, opt, entry, built):
        keys = [f"{name}/{i}" for i in range(int(entry.get("count", 0)))]
        values = [np.asarray(self._value(k, name)) for k in keys]
        if not entry.get("built"):
            return _Plan([], self._unbuilt_assign(opt, values), keys)
        params = (_optimizer_params(opt) if opt.built
                  else self._resolve(name, entry, built))
        if params is None:
            return None
        self._check_params(name, params, entry)
        if opt.built:
            return _Plan([], self._prepared(name, opt, values), keys)
        # Building changes the optimizer: check on a twin first.
        twin = copy.deepcopy(opt)
        twin.build(params)
        self._prepared(name, twin, values)

        def assign():
            opt.build(params)
            opt.prepare_keras_variables(values, None, _FLAVOR)()

        return _Plan([], assign, keys)

    def _unbuilt_assign(self, opt, values):
        """The state of an optimizer saved before it was built: its step
        count and learning rate (a built one keeps its slots)."""
        def assign():
            if not opt.built and len(values) == len(opt.variables):
                opt._assign_variables(values)
            else:
                opt.iterations = int(values[0])
        return assign

    def _plan_torch_optimizer(self, name, opt, entry, built):
        groups = entry.get("param_groups", [])
        sizes = [len(g["params"]) for g in groups]
        have = [len(g["params"]) for g in opt.param_groups]
        if entry.get("class") != type(opt).__name__ or sizes != have:
            raise self._mismatch(
                f"optimizer '{name}' is a {type(opt).__name__} with groups "
                f"of {have} parameters; the checkpoint holds a "
                f"{entry.get('class')} with groups of {sizes}.")
        self._check_params(name, _optimizer_params(opt), entry)
        state = {int(k): dict(v)
                 for k, v in entry.get("plain_state", {}).items()}
        prefix = name + "/"
        keys = [k for k in self._tensors if k.startswith(prefix)]
        for key in keys:
            index, slot = key[len(prefix):].split("/", 1)
            state.setdefault(int(index), {})[slot] = torch.from_numpy(
                np.array(self._tensors[key]))

        def assign():
            opt.load_state_dict({"state": state, "param_groups": groups})

        return _Plan([], assign, keys)

    # Inspecting -----------------------------------------------------------

    def _waiting(self):
        """Objects with values that wait for a model's first call."""
        return sorted(n for n in self._objects
                      if n in self._entries and n not in self._done)

    def _waiting_models(self):
        """The unbuilt models whose first call restores waiting objects
        (their own values, or an optimizer built on their weights)."""
        names = set()
        for name in self._waiting():
            names.add(name)
            names.update(ref[0] for ref in self._entries[name].get(
                "params", []) if ref)
        models = {id(self._objects[n]): self._objects[n] for n in names
                  if kind_of(self._objects.get(n)) == MODEL}
        return [m for m in models.values() if deferred.needs_deferral(m)]

    def _unused_values(self):
        return sorted(k for k in self._tensors if k not in self._consumed)

    def _unmatched(self):
        """Existing variables the restore gave no value."""
        out = []
        for name, obj in self._objects.items():
            if name in self._entries and name not in self._done:
                continue  # waits
            if kind_of(obj) == MODEL:
                out += [f"{name}/{path}" for path in
                        weight_paths.structure_names(obj)
                        if f"{name}/{path}" not in self._consumed]
            elif name not in self._entries:
                out.append(name)
        return out

    def assert_consumed(self):
        """Asserts that every checkpoint value was restored into an
        object and every object's variable received one.

        Raises:
            AssertionError: listing the values not used, the variables
                not restored and the objects that wait for a model's
                first call.
        """
        unused, unmatched = self._unused_values(), self._unmatched()
        waiting = self._waiting()
        if not unused and not unmatched and not waiting:
            return self
        parts = []
        if waiting:
            parts.append("Objects waiting for a model's first call "
                         "(delayed restoration):\n" + _listing(waiting))
        if unused:
            parts.append("Unresolved values in the checkpoint:\n"
                         + _listing(unused))
        if unmatched:
            parts.append("Variables not restored from the checkpoint:\n"
                         + _listing(unmatched))
        raise AssertionError(
            f"Checkpoint '{self._data_path}' was not fully consumed.\n"
            + "\n".join(parts))

    def assert_existing_objects_matched(self):
        """Asserts that every variable that exists now was restored
        (values for objects not built yet, and unused values, are allowed).

        Raises:
            AssertionError: listing the variables not restored.
        """
        unmatched = self._unmatched()
        if unmatched:
            raise AssertionError(
                f"Checkpoint '{self._data_path}' did not restore these "
                "existing variables:\n" + _listing(unmatched))
        return self

    def assert_nontrivial_match(self):
        """Asserts that some value of the checkpoint matched an object (or
        waits for a model's first call).

        Raises:
            AssertionError: when nothing matched.
        """
        if self._consumed or self._waiting():
            return self
        raise AssertionError(
            f"Nothing in checkpoint '{self._data_path}' matched the "
            f"objects of the Checkpoint ({sorted(self._objects)}).")

    def expect_partial(self):
        """Marks the restore as partial on purpose. TF then stops warning
        about unused values; nothing here warns, so it only returns the
        status."""
        return self

    def run_restore_ops(self, session=None):
        """TF 1 graph mode's step; restoring is eager here."""
        return None

    def initialize_or_restore(self, session=None):
        """TF 1 graph mode's step; restoring is eager here."""
        return None
