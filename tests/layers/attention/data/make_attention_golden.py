"""Writes ``attention_keras_golden.npz``: Keras's own outputs for
Attention, AdditiveAttention and MultiHeadAttention, the oracle of
``test_attention_keras_golden.py``.

Run with Keras 3 on TensorFlow (it does not import torchkeras)::

    KERAS_BACKEND=tensorflow python \\
        tests/layers/attention/data/make_attention_golden.py

Each case stores its config and call options (JSON) and one flat array:
the weights as Keras's ``get_weights()`` returns them (perturbed so that
every weight matters), then the outputs (output, attention scores).
"""

import json
import os

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
import keras  # noqa: E402


def perturbed(layer, rng):
    return [w + 0.3 * rng.standard_normal(w.shape).astype("float32")
            for w in layer.get_weights()]


def attention_cases():
    for cls, config in [("Attention", {}), ("Attention", {"use_scale": True}),
                        ("Attention", {"score_mode": "concat",
                                       "use_scale": True}),
                        ("AdditiveAttention", {}),
                        ("AdditiveAttention", {"use_scale": False})]:
        for masked in (False, True):
            for causal in (False, True):
                yield dict(cls=cls, config=config, masked=masked,
                           causal=causal)


def mha_cases():
    yield dict(cls="MultiHeadAttention", rank=3, causal=False,
               attention_mask=False, key=False,
               config=dict(num_heads=2, key_dim=3))
    yield dict(cls="MultiHeadAttention", rank=3, causal=True,
               attention_mask=False, key=True,
               config=dict(num_heads=2, key_dim=3, value_dim=2,
                           output_shape=[2, 7]))
    yield dict(cls="MultiHeadAttention", rank=3, causal=False,
               attention_mask=True, key=False,
               config=dict(num_heads=3, key_dim=2, use_bias=False))
    yield dict(cls="MultiHeadAttention", rank=4, causal=False,
               attention_mask=False, key=False,
               config=dict(num_heads=2, key_dim=3, attention_axes=[2]))
    yield dict(cls="MultiHeadAttention", rank=4, causal=False,
               attention_mask=False, key=False,
               config=dict(num_heads=2, key_dim=3))


def main():
    rng = np.random.default_rng(0)
    arrays = {
        "q": rng.standard_normal((2, 3, 4)).astype("float32"),
        "v": rng.standard_normal((2, 5, 4)).astype("float32"),
        "k": rng.standard_normal((2, 5, 6)).astype("float32"),
        "q4": rng.standard_normal((2, 3, 5, 4)).astype("float32"),
        "v4": rng.standard_normal((2, 3, 2, 4)).astype("float32"),
        "query_mask": np.array([[1, 1, 0], [1, 1, 1]], bool),
        "value_mask": np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool),
        "attention_mask": rng.integers(0, 2, (2, 3, 5)).astype(bool),
    }
    arrays["attention_mask"][..., 0] = True
    meta = []
    for i, case in enumerate(list(attention_cases()) + list(mha_cases())):
        layer = getattr(keras.layers, case["cls"])(**case["config"])
        if case["cls"] == "MultiHeadAttention":
            q = arrays["q4"] if case["rank"] == 4 else arrays["q"]
            v = (arrays["q4"] if case["config"].get("attention_axes")
                 else arrays["v4"]) if case["rank"] == 4 else arrays["v"]
            kwargs = {"use_causal_mask": case["causal"]}
            if case["key"]:
                kwargs["key"] = arrays["k"]
            if case["attention_mask"]:
                kwargs["attention_mask"] = arrays["attention_mask"]
            layer(q, v, **kwargs)
            weights = perturbed(layer, rng)
            layer.set_weights(weights)
            outputs = layer(q, v, return_attention_scores=True, **kwargs)
        else:
            inputs = [arrays["q"], arrays["v"]]
            layer(inputs)
            weights = perturbed(layer, rng)
            layer.set_weights(weights)
            mask = ([arrays["query_mask"], arrays["value_mask"]]
                    if case["masked"] else None)
            outputs = layer(inputs, mask=mask, return_attention_scores=True,
                            use_causal_mask=case["causal"])
        outputs = [np.asarray(o) for o in outputs]
        arrays[str(i)] = np.concatenate(
            [np.ravel(a) for a in weights + outputs]).astype("float32")
        meta.append(dict(case,
                         weight_shapes=[list(w.shape) for w in weights],
                         output_shapes=[list(o.shape) for o in outputs]))
    arrays["meta"] = np.array(json.dumps({
        "keras_version": keras.__version__, "cases": meta}))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "attention_keras_golden.npz")
    np.savez_compressed(path, **arrays)
    print(f"wrote {len(meta)} cases to {path}")


if __name__ == "__main__":
    main()
