"""Runs under real Keras 3 (the NumPy backend: it builds and predicts in
seconds where JAX compiles for minutes); not a test module.

Reads one JSON request per line on stdin and answers one JSON line.
``{"module": ..., "fn": ..., "kwargs": ..., "error_only": true}`` answers
``{"error": "ValueError: ..."}`` (or `None`): what ``fn(**kwargs)`` raises.
Otherwise the request is

    {"fn": "MobileNetV2", "module": "mobilenet_v2", "kwargs": {...},
     "seed": 1, "dir": "/tmp/x", "input_size": [96, 96], "batch": 2}

For each request it

1. asks the constructor for ``weights="imagenet"`` with a spy in place of
   Keras's ``get_file``: the file name, URL, hash and cache folder Keras
   would fetch (or the `ValueError` Keras raises for these arguments);
2. builds the model with ``weights=None`` after ``set_random_seed(seed)``;
3. writes its weights in tf.keras 2's layout (``legacy.h5``, the layout of
   the published ImageNet files) and in Keras 3's (``model.weights.h5``);
4. preprocesses a seeded random batch with the family's
   ``preprocess_input`` and predicts it; saves ``io.npz`` (x, x_pre, y).
"""

import json
import os
import sys

import h5py
import numpy as np

import keras
from keras.src.legacy.saving import legacy_h5_format
from keras.src.utils import file_utils


class _Requested(Exception):
    pass


def _spy(record):
    def get_file(fname=None, origin=None, **kwargs):
        record.update(fname=fname, origin=origin,
                      file_hash=kwargs.get("file_hash"),
                      cache_subdir=kwargs.get("cache_subdir", "datasets"))
        raise _Requested()
    return get_file


def _request(fn, kwargs):
    record = {}
    real = file_utils.get_file
    file_utils.get_file = _spy(record)
    try:
        fn(weights="imagenet", **kwargs)
    except _Requested:
        return {"file": record}
    except ValueError as e:
        return {"error": str(e)}
    finally:
        file_utils.get_file = real
    return {"file": None}


def _describe(model):
    out = []
    for layer in model.layers:
        out.append([layer.name, layer.__class__.__name__,
                    [list(w.shape) for w in layer.weights]])
    return out


def handle(request):
    module = getattr(keras.applications, request["module"])
    fn = getattr(module, request["fn"])
    kwargs = request.get("kwargs", {})
    if request.get("error_only"):
        try:
            fn(**kwargs)
        except (ValueError, TypeError) as e:
            return {"error": f"{type(e).__name__}: {e}"}
        return {"error": None}
    answer = {"imagenet": _request(fn, kwargs)}
    keras.backend.clear_session()
    keras.utils.set_random_seed(request.get("seed", 1))
    model = fn(weights=None, **kwargs)
    folder = request["dir"]
    os.makedirs(folder, exist_ok=True)
    with h5py.File(os.path.join(folder, "legacy.h5"), "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, model)
    model.save_weights(os.path.join(folder, "model.weights.h5"))
    size = request.get("input_size")
    shape = [d if d is not None else size[i - 1] if size else 224
             for i, d in enumerate(model.input_shape)][1:]
    rng = np.random.RandomState(request.get("seed", 1))
    x = rng.uniform(0, 255, (request.get("batch", 2), *shape))
    x = x.astype("float32")
    x_pre = np.asarray(module.preprocess_input(x.copy()), dtype="float32")
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
