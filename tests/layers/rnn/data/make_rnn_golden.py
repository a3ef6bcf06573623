"""Writes ``rnn_keras_golden.npz``: Keras's own outputs for the recurrent
layers, the test oracle of ``test_rnn_keras_golden.py``.

Run with Keras 3 on TensorFlow (it does not import torchkeras)::

    KERAS_BACKEND=tensorflow python tests/layers/rnn/data/make_rnn_golden.py

Each case stores the layer config (JSON), the mask, the weights as
``get_weights()`` returns them in Keras (perturbed so that every weight
matters) and every output of the call, flattened into one array per case
(shapes in the JSON); ``x`` is the input of every case.
"""

import json
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402

B, T, F, U = 3, 5, 4, 3
MASKS = {
    "none": None,
    "right": [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]],
    "holes": [[1, 0, 1, 1, 0], [0, 0, 1, 1, 1], [1, 1, 1, 1, 1]],
    "empty": [[1, 1, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 0]],
}


def perturbed(layer, rng):
    return [w + 0.3 * rng.standard_normal(w.shape).astype("float32")
            for w in layer.get_weights()]


def flat(outputs):
    if not isinstance(outputs, (list, tuple)):
        return [np.asarray(outputs)]
    result = []
    for o in outputs:
        result.extend(flat(o))
    return result


def cases(rng, x):
    for cls, extra in [("GRU", {}), ("GRU", {"reset_after": False}),
                       ("LSTM", {}), ("SimpleRNN", {})]:
        for return_sequences in (False, True):
            for go_backwards in (False, True):
                for mask in MASKS:
                    yield dict(wrapper=None, cls=cls, mask=mask, config=dict(
                        units=U, return_sequences=return_sequences,
                        return_state=True, go_backwards=go_backwards,
                        **extra))
    for cls in ("GRU", "LSTM"):
        for return_sequences in (False, True):
            for merge_mode in ("concat", "sum", "mul", "ave", None):
                for mask in ("none", "right", "holes"):
                    yield dict(wrapper="Bidirectional", cls=cls, mask=mask,
                               merge_mode=merge_mode, config=dict(
                                   units=U,
                                   return_sequences=return_sequences,
                                   return_state=True))


def main():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, T, F)).astype("float32")
    arrays = {"x": x}
    meta = []
    for i, case in enumerate(cases(rng, x)):
        layer = getattr(keras.layers, case["cls"])(**case["config"])
        if case["wrapper"]:
            layer = keras.layers.Bidirectional(
                layer, merge_mode=case["merge_mode"])
        layer(x)
        weights = perturbed(layer, rng)
        layer.set_weights(weights)
        mask = MASKS[case["mask"]]
        mask = None if mask is None else np.array(mask, bool)
        outputs = flat(layer(x, mask=mask))
        # One flat array per case (fewer zip entries): weights, outputs.
        arrays[str(i)] = np.concatenate(
            [np.ravel(a) for a in weights + outputs]).astype("float32")
        meta.append(dict(case,
                         weight_shapes=[list(w.shape) for w in weights],
                         output_shapes=[list(o.shape) for o in outputs]))
    arrays["meta"] = np.array(json.dumps({
        "keras_version": keras.__version__, "masks": MASKS,
        "cases": meta}))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "rnn_keras_golden.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(meta)} cases to {path}")


if __name__ == "__main__":
    main()
