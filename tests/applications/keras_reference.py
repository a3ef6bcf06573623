"""Runs under real Keras 3 (the NumPy backend: it builds and predicts in
seconds where JAX compiles for minutes); not a test module.

Reads one JSON request per line on stdin and answers one JSON line.
``{"module": ..., "fn": ..., "kwargs": ..., "error_only": true}`` answers
``{"error": "ValueError: ..."}`` (or `None`): what ``fn(**kwargs)`` raises.
Otherwise the request is

    {"fn": "MobileNetV2", "module": "mobilenet_v2", "kwargs": {...},
     "seed": 1, "dir": "/tmp/x", "input_size": [96, 96], "batch": 2,
     "floatx": "float32", "damp": {"pattern": "...", "factor": 0.5}}

For each request it

1. builds the model after ``set_random_seed(seed)`` with
   ``weights="imagenet"`` and a spy in place of Keras's ``get_file`` and
   ``load_weights``: the file name, URL, hash and cache folder Keras would
   fetch, and the model as initialised (or, where Keras refuses ImageNet
   weights for these arguments, its `ValueError` and a ``weights=None``
   build);
   then scales the ``gamma`` of the BatchNormalization layers whose names
   match ``damp["pattern"]`` (optional: a deep network with random weights
   can be chaotic, and damping its residual branches makes it stable);
2. writes its weights in tf.keras 2's layout (``legacy.h5``, the layout of
   the published ImageNet files) and in Keras 3's (``model.weights.h5``);
3. preprocesses a seeded random batch with the family's
   ``preprocess_input`` and predicts it; saves ``io.npz`` (x, x_pre, y).
"""

import json
import os
import re
import sys

import h5py
import numpy as np

import keras
from keras.src.legacy.saving import legacy_h5_format
from keras.src.utils import file_utils


class _Spy:
    """Stands in for Keras's `get_file` and `Model.load_weights` while a
    constructor runs with ``weights="imagenet"``: records the file Keras
    asks for and keeps the freshly initialised weights, so one build gives
    both the request and the model."""

    def __init__(self):
        self.record = None

    def get_file(self, fname=None, origin=None, **kwargs):
        self.record = dict(
            fname=fname, origin=origin, file_hash=kwargs.get("file_hash"),
            cache_subdir=kwargs.get("cache_subdir", "datasets"))
        return "imagenet-weights-not-loaded"

    def __enter__(self):
        self.saved = (file_utils.get_file, keras.Model.load_weights)
        file_utils.get_file = self.get_file
        keras.Model.load_weights = lambda model, *args, **kwargs: None
        return self

    def __exit__(self, *exc):
        file_utils.get_file, keras.Model.load_weights = self.saved


def _build(fn, kwargs, seed):
    """(model, what ``weights="imagenet"`` asks for); the model is built
    once, from the seed, with ``weights=None`` when Keras refuses
    ImageNet weights for these arguments."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    try:
        with _Spy() as spy:
            model = fn(weights="imagenet", **kwargs)
        return model, {"file": spy.record}
    except ValueError as e:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        return fn(weights=None, **kwargs), {"error": str(e)}


def _describe(model):
    out = []
    for layer in model.layers:
        out.append([layer.name, layer.__class__.__name__,
                    [list(w.shape) for w in layer.weights]])
    return out


def handle(request):
    module = getattr(keras.applications, request["module"])
    # Keras exports MobileNetV3Small/Large from keras.applications only.
    fn = getattr(module, request["fn"], None) or getattr(
        keras.applications, request["fn"])
    kwargs = request.get("kwargs", {})
    if request.get("error_only"):
        try:
            fn(**kwargs)
        except (ValueError, TypeError) as e:
            return {"error": f"{type(e).__name__}: {e}"}
        return {"error": None}
    keras.config.set_floatx(request.get("floatx", "float32"))
    model, requested = _build(fn, kwargs, request.get("seed", 1))
    answer = {"imagenet": requested}
    damp = request.get("damp")
    if damp:  # scales the gamma of the BatchNormalization layers named so
        for layer in model.layers:
            if re.fullmatch(damp["pattern"], layer.name):
                layer.gamma.assign(layer.gamma * damp["factor"])
    folder = request["dir"]
    os.makedirs(folder, exist_ok=True)
    with h5py.File(os.path.join(folder, "legacy.h5"), "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    if request.get("keras3_file", True):
        model.save_weights(os.path.join(folder, "model.weights.h5"))
    size = request.get("input_size")
    shape = [d if d is not None else size[i - 1] if size else 224
             for i, d in enumerate(model.input_shape)][1:]
    rng = np.random.RandomState(request.get("seed", 1))
    x = rng.uniform(0, 255, (request.get("batch", 2), *shape))
    x = x.astype(keras.config.floatx())
    x_pre = np.asarray(module.preprocess_input(x.copy()), dtype=x.dtype)
    y = np.asarray(model.predict(x_pre, verbose=0))
    np.savez(os.path.join(folder, "io.npz"), x=x, x_pre=x_pre, y=y)
    answer.update(name=model.name, layers=_describe(model),
                  params=int(model.count_params()))
    return answer


def main():
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            answer = handle(json.loads(line))
        except Exception as e:  # reported to the test, which fails on it
            answer = {"failure": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
