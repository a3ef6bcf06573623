"""Fuzz targets for ``.keras`` archives and JSON model configs (see
``fuzzing.py``).

- ``keras_target``: ``models.load_model`` of a ``.keras`` archive whose
  bytes the harness mutates (zip headers, sizes, compressed data).
- ``keras_config_target``: the harness mutates the archive's
  ``config.json`` text, and ``mutate_json`` applies structural mutations
  (wrong types, deep nesting, huge numbers, missing keys, other class
  names, long lists and strings) to it, or to the original when the byte
  mutation broke the JSON (see ``_mutated``). The result is packed into
  a ``.keras`` archive at the case's path, without a digest for the
  config (as Keras 3 writes archives, so nothing stops the config at the
  checksum), and loaded with ``models.load_model``.
- ``model_from_json_target``: the same mutations of ``Model.to_json``,
  loaded with ``models.model_from_json``. That function takes a string and
  its errors name ``'<json string>'`` instead of a file; the target passes
  on such a ``SavingError`` as one naming the case's path, so the harness
  can count it as clear. Anything else stays as raised.

Structural mutations are seeded by the SHA-256 of the case's bytes, so a
case (seed and index) replays exactly.
"""

import copy
import hashlib
import json
import os
import random
import tempfile
import zipfile

import numpy as np

from fuzzing import Target

# -- a JSON structural mutator ---------------------------------------------

_WRONG_TYPES = (None, True, False, 0, -1, 1.5, "", "x", [], {}, [1, 2],
                {"a": 1}, [[None]], {"class_name": "Dense", "config": {}})
_NUMBERS = (0, -1, -2**31, 2**31, 2**32 + 1, 2**40, 2**62, 2**63 - 1, 2**63,
            2**64, 10**30, 10**400, 1e308, -1e308, 1e-320, float("nan"),
            float("inf"), float("-inf"), 65536, 3.5)
_CLASS_NAMES = ("Lambda", "Activation", "Dense", "InputLayer", "Functional",
                "Sequential", "Model", "__lambda__", "TFOpLambda", "Add",
                "Embedding", "Conv2D", "LSTM", "Bidirectional",
                "TimeDistributed", "function", "__keras_tensor__",
                "__numpy__", "Custom>Nothing", "", "Adam", "GlorotUniform")
_DEPTHS = (50, 99, 101, 500, 3000, 100_000)
_DEEP = "__fuzz_deep_{}__"
_MAX_GROWN_TEXT = 1 << 15


def _nodes(value):
    """``(container, key)`` for every value inside ``value``."""
    out, stack = [], [value]
    while stack:
        node = stack.pop()
        items = (node.items() if isinstance(node, dict)
                 else enumerate(node) if isinstance(node, list) else ())
        for key, child in items:
            out.append((node, key))
            stack.append(child)
    return out


def _dicts_with(value, key):
    return [c[k] for c, k in _nodes(value)
            if isinstance(c[k], dict) and key in c[k]]


def _wrong_type(root, rng, deep):
    container, key = rng.choice(_nodes(root))
    container[key] = copy.deepcopy(rng.choice(_WRONG_TYPES))


def _delete_key(root, rng, deep):
    dicts = [c[k] for c, k in _nodes(root) if isinstance(c[k], dict)
             and c[k]] + [root]
    target = rng.choice(dicts)
    del target[rng.choice(list(target))]


def _huge_number(root, rng, deep):
    nodes = _nodes(root)
    numbers = [(c, k) for c, k in nodes
               if isinstance(c[k], (int, float)) and not isinstance(c[k],
                                                                    bool)]
    container, key = rng.choice(numbers or nodes)
    container[key] = rng.choice(_NUMBERS)


def _nest(root, rng, deep):
    container, key = rng.choice(_nodes(root))
    marker = _DEEP.format(len(deep))
    deep[marker] = (rng.choice(_DEPTHS), rng.choice("[{"))
    container[key] = marker


def _class_name(root, rng, deep):
    entries = _dicts_with(root, "class_name") or [root]
    entry = rng.choice(entries)
    key = rng.choice(("class_name", "class_name", "registered_name",
                      "module"))
    entry[key] = rng.choice(_CLASS_NAMES + (5, None, ["Dense"],
                                            "keras.src.ops.numpy"))


def _grow(root, rng, deep):
    lists = [(c, k) for c, k in _nodes(root) if isinstance(c[k], list)
             and c[k]]
    if lists and rng.random() < 0.7:
        container, key = rng.choice(lists)
        item = rng.choice(container[key])
        size = max(1, len(json.dumps(item)))
        container[key] = [item] * rng.randint(2, max(2, _MAX_GROWN_TEXT
                                                      // size))
        return
    container, key = rng.choice(_nodes(root))
    container[key] = "x" * rng.choice((1000, 100_000, 1_000_000))


def _swap(root, rng, deep):
    nodes = _nodes(root)
    (c1, k1), (c2, k2) = rng.choice(nodes), rng.choice(nodes)
    c1[k1] = copy.deepcopy(c2[k2])


def _reshape(root, rng, deep):
    container, key = rng.choice(_nodes(root))
    value = container[key]
    if isinstance(value, dict):
        container[key] = list(value.values())
    elif isinstance(value, list):
        container[key] = {str(i): v for i, v in enumerate(value)}
    else:
        container[key] = [value]


STRUCTURAL = (_wrong_type, _delete_key, _huge_number, _nest, _class_name,
              _grow, _swap, _reshape)


def mutate_json(text, rng):
    """``text`` (a JSON document) with 1-3 structural mutations, as text;
    ``text`` itself when it is not JSON (the byte mutation stands)."""
    try:
        root = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(root, (dict, list)) or not root:
        return text
    deep = {}
    for _ in range(rng.randint(1, 3)):
        if not _nodes(root):
            break
        mutation = rng.choice(STRUCTURAL)
        mutation(root, rng, deep)
        if mutation is _grow:
            break  # the mutations after would walk (and copy) it all
    out = json.dumps(root)
    for marker, (depth, bracket) in deep.items():
        close = "]" if bracket == "[" else "}"
        opening = "[" if bracket == "[" else '{"a":'
        out = out.replace(json.dumps(marker),
                          opening * depth + "0" + close * depth, 1)
    return out


def _case_rng(data):
    return random.Random(hashlib.sha256(data).digest())


def _mutated(path, original):
    """The case's bytes, structurally mutated: the harness's byte mutation
    seeds the choice; when it broke the JSON (most do), three cases in four
    mutate the original structure instead, and the fourth keeps the broken
    bytes (the parser's errors)."""
    with open(path, "rb") as f:
        data = f.read()
    rng = _case_rng(data)
    try:
        text = data.decode("utf8")
        json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        if rng.random() < 0.25:
            return data
        text = original.decode("utf8")
    if rng.random() < 0.1:
        return text.encode("utf8")
    return mutate_json(text, rng).encode("utf8")


# -- the model --------------------------------------------------------------

def _model():
    """A compiled functional model with an op node, after one Adam step
    (so the archive holds optimizer slots)."""
    import torchkeras as keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,), name="x")
    hidden = keras.layers.Dense(4, activation="relu", name="d1")(inputs)
    hidden = hidden * 2.0
    outputs = keras.layers.Dense(2, name="d2")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    x = np.linspace(-1, 1, 12, dtype="float32").reshape(4, 3)
    model.train_on_batch(x, np.ones((4, 2), "float32"))
    return model


def _saved():
    model = _model()
    folder = tempfile.mkdtemp(prefix="fuzz-src-")
    path = os.path.join(folder, "m.keras")
    model.save(path)
    with open(path, "rb") as f:
        return model, path, f.read()


def _optimizer_values(model):
    opt = model.optimizer
    return [np.array(v.detach().cpu()) for v in opt.variables]


def _same_arrays(got, want):
    assert len(got) == len(want), (len(got), len(want))
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def keras_target():
    """``load_model`` of a ``.keras`` archive, bytes mutated."""
    import torchkeras as keras

    model, _, data = _saved()
    weights = model.get_weights()
    slots = _optimizer_values(model)
    config = model.to_json()

    def load(case_path):
        return keras.models.load_model(case_path)

    def verify(loaded):
        assert loaded.to_json() == config
        _same_arrays(loaded.get_weights(), weights)
        _same_arrays(_optimizer_values(loaded), slots)

    return Target(data, ".keras", load, verify)


def _archive(path, config_bytes, source):
    """Writes ``source``'s archive at ``path`` with ``config_bytes`` as its
    config and no digest for it."""
    with zipfile.ZipFile(source) as z:
        metadata = json.loads(z.read("metadata.json"))
        weights = z.read("model.weights.h5")
    metadata["torchkeras_sha256"].pop("config.json")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("metadata.json", json.dumps(metadata))
        z.writestr("config.json", config_bytes)
        z.writestr("model.weights.h5", weights)


def _as_multiset(arrays):
    return sorted((a.shape, a.dtype.str, a.tobytes()) for a in arrays)


def keras_config_target():
    """``load_model`` of a ``.keras`` whose ``config.json`` is mutated,
    bytes and structure."""
    import torchkeras as keras

    model, source, _ = _saved()
    with zipfile.ZipFile(source) as z:
        config_bytes = z.read("config.json")
    weights = _as_multiset(model.get_weights())

    def load(case_path):
        _archive(case_path, _mutated(case_path, config_bytes), source)
        return keras.models.load_model(case_path)

    def verify(loaded):
        # A mutation may give another valid model (an activation, a
        # name); the weights it loaded are still the file's.
        assert _as_multiset(loaded.get_weights()) == weights

    return Target(config_bytes, ".keras", load, verify)


def model_from_json_target():
    """``model_from_json`` of a mutated ``Model.to_json()`` string."""
    import torchkeras as keras
    from torchkeras import saving
    from torchkeras.saving import model_config

    text = _model().to_json().encode("utf8")

    def load(case_path):
        data = _mutated(case_path, text)
        try:
            data = data.decode("utf8")
        except UnicodeDecodeError:
            pass  # bytes: model_from_json must say it is not UTF-8 JSON
        try:
            return keras.models.model_from_json(data)
        except saving.SavingError as e:
            if e.filepath != model_config.JSON_STRING:
                raise
            raise type(e)(case_path, str(e)) from e

    def verify(loaded):
        # The model is what its JSON says: it saves and rebuilds the same.
        again = keras.models.model_from_json(loaded.to_json())
        assert again.to_json() == loaded.to_json()

    return Target(text, ".json", load, verify)
