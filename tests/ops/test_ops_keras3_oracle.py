"""Keras 3 itself as the reference for the non-NumPy ``keras.ops``.

One subprocess runs every case below in real Keras 3 (JAX backend; the
Python named by ``TORCHKERAS_KERAS_PYTHON``); the same expression text then
runs on torchkeras and the results are compared. Cases cover
``keras.ops.nn``, the math ops, ``keras.ops.linalg``, ``keras.ops.image``
and the core ops, with the argument forms where our code has branches
(``"same"`` padding with odd sizes, strides, dilation, grouped-query
attention, fill modes, ...).
"""

import json
import os
import subprocess
import textwrap

import numpy as np
import pytest

import torchkeras

RNG = np.random.default_rng(0)
def f32(*shape):
    return RNG.normal(size=shape).astype("float32")
INPUTS = {
    "x4": f32(2, 7, 6, 3), "k33": f32(3, 3, 3, 4), "x3": f32(2, 9, 3),
    "k1d": f32(3, 3, 5), "dk": f32(3, 3, 3, 2), "pk": f32(1, 1, 6, 4),
    "kt": f32(3, 3, 4, 3), "v": f32(3, 10), "q": f32(2, 5, 4, 8),
    "kk": f32(2, 6, 2, 8), "vv": f32(2, 6, 2, 8),
    "amask": RNG.random((2, 1, 5, 6)) > 0.3,
    "seg": np.array([0, 0, 2, 2, 2, 4], "int32"), "d6": f32(6, 3),
    "sig": f32(2, 64), "sq": f32(3, 4, 4),
    "tri": np.tril(f32(4, 4)) + 4 * np.eye(4, dtype="float32"),
    "b4": f32(4, 2), "img": RNG.random((2, 8, 10, 3)).astype("float32"),
    "tf8": np.array([[1.1, 0.23, -1.07, 0.13, 0.9, 0.537, 0.0, 0.0],
                     [0.81, -0.31, 2.03, 0.29, 1.21, -1.53, 0.0, 0.0]],
                    "float32"),
    "coords": RNG.uniform(-3, 12, size=(2, 5, 4)).astype("float32"),
    "plane": f32(8, 10), "ids": np.array([[1, 3, 3], [0, 2, -1]], "int32"),
    "labels": np.array([2, 0, 1], "int32"), "preds": f32(3, 5),
    "big": np.array([-300.0, 1.5, 70000.0], "float32"),
    "vol": f32(1, 4, 5, 6, 2),
    "corners": np.array([[0, 0], [9, 0], [9, 7], [0, 7]], "float32"),
    "moved": np.array([[1, 0.5], [8.2, 1], [9, 6.3], [0.4, 7]], "float32"),
    "scale": np.array([0.6, 1.3], "float32"),
    "shift": np.array([0.2, -0.5], "float32"),
}
CASES = [
    "ops.conv(x4, k33, strides=2, padding='same')",
    "ops.conv(x3, k1d, padding='valid', dilation_rate=2)",
    "ops.depthwise_conv(x4, dk, strides=(2, 1), padding='same')",
    "ops.separable_conv(x4, dk, pk, padding='same')",
    "ops.conv_transpose(x4[..., :3], kt, strides=2, padding='same')",
    "ops.conv_transpose(x4[..., :3], kt, strides=2, output_padding=1)",
    "ops.max_pool(x4, 3, strides=2, padding='same')",
    "ops.average_pool(x4, (3, 2), strides=2, padding='same')",
    "ops.adaptive_average_pool(x4, (3, 4))",
    "[ops.gelu(v), ops.gelu(v, approximate=False), ops.sparsemax(v),"
    " ops.sparse_plus(v), ops.squareplus(v), ops.hard_silu(v), ops.glu(v),"
    " ops.celu(v, 0.5), ops.log_sigmoid(v), ops.softplus(v),"
    " ops.sparse_sigmoid(v), ops.selu(v), ops.leaky_relu(v)]",
    "ops.dot_product_attention(q, kk, vv, mask=amask, is_causal=True)",
    "ops.dot_product_attention(q, kk, vv, scale=0.3)",
    "ops.moments(x4, axes=(0, 1, 2))",
    "ops.layer_normalization(x4, axis=(1, 3), epsilon=1e-3)",
    "ops.rms_normalization(x4, axis=1)",
    "[ops.space_to_depth(x4[:, :6], 2),"
    " ops.depth_to_space(ops.space_to_depth(x4[:, :6], 2), 2)]",
    "ops.multi_hot(ids, 5)",
    "ops.normalize(v, order=1)",
    "ops.psnr(img[0], img[1], 1.0)",
    "[ops.segment_max(d6, seg, num_segments=5),"
    " ops.segment_sum(d6, seg, num_segments=5),"
    " ops.segment_prod(d6, seg, num_segments=5)]",
    "ops.top_k(v, 3)",
    "ops.in_top_k(labels, preds, 2)",
    "ops.extract_sequences(sig, 16, 8)",
    "ops.stft(sig, 16, 8, 32)",
    "ops.istft(ops.stft(sig, 12, 4, 16, center=False), 12, 4, 16,"
    " center=False)",
    "ops.rfft(sig, 32)",
    "[ops.erfinv(ops.tanh(v) * 0.9), ops.erf(v), ops.rsqrt(ops.abs(v) + 1)]",
    "[ops.linalg.norm(sq, ord='fro', axis=(1, 2)),"
    " ops.linalg.norm(v, ord=1, axis=-1), ops.linalg.norm(v)]",
    "ops.linalg.solve_triangular(tri, b4, lower=True)",
    "ops.linalg.lstsq(sq[0], b4)",
    "ops.linalg.svd(sq, compute_uv=False)",
    "ops.linalg.lu_factor(tri)",
    "[ops.linalg.det(sq), ops.linalg.inv(tri), ops.linalg.solve(tri, b4)]",
    "ops.image.resize(img, (5, 7))",
    "ops.image.resize(img, (16, 13), interpolation='nearest')",
    "ops.image.resize(img, (6, 6), crop_to_aspect_ratio=True)",
    "ops.image.affine_transform(img, tf8)",
    "ops.image.affine_transform(img, tf8, fill_mode='reflect')",
    "ops.image.affine_transform(img, tf8, fill_mode='wrap', fill_value=0.5)",
    "ops.image.map_coordinates(plane, coords, 1, fill_mode='mirror')",
    "ops.image.map_coordinates(plane, coords, 0, fill_value=-1.0)",
    "[ops.image.map_coordinates(plane, coords, 0, fill_mode='reflect'),"
    " ops.image.map_coordinates(plane, coords, 1, fill_mode='nearest')]",
    "ops.image.extract_patches(img, 3, strides=2, padding='same')",
    "ops.image.extract_patches(img, (2, 3))",
    "ops.image.rgb_to_hsv(img)",
    "[ops.image.pad_images(img, 1, 2, target_height=11, target_width=13),"
    " ops.image.crop_images(img, 1, 2, target_height=5, target_width=6)]",
    "ops.image.sobel_edges(img)",
    "ops.image.ssim(img[:1], img[1:] * 0.8 + 0.1, filter_size=5)",
    "ops.image.perspective_transform(img, np.stack([corners, moved]),"
    " np.stack([moved, corners]))",
    "ops.image.extract_patches_3d(vol, (2, 2, 3), strides=(1, 2, 2))",
    "[ops.image.scale_and_translate(img, (2, 5, 13, 3), scale, shift,"
    " (1, 2), method) for method in ('linear', 'cubic', 'lanczos3')]",
    "[ops.rearrange(x4, 'b h w c -> b c (h w)'),"
    " ops.rearrange(x4[:, :6], 'b (h2 h) w c -> b h (h2 w) c', h2=2)]",
    "[ops.saturate_cast(big, 'uint8'), ops.saturate_cast(big, 'float16')]",
    "[ops.scatter(np.array([[0, 1], [2, 0], [0, 1]]),"
    " np.array([1.0, 2.0, 3.0], 'float32'), (3, 2)),"
    " ops.scatter_update(d6, np.array([[1], [3]]), np.ones((2, 3)))]",
    "[ops.slice(x4, (0, 1, 2, 0), (1, 3, 2, 3)),"
    " ops.slice_update(d6, (1, 1), np.zeros((2, 2), 'float32'))]",
    "ops.one_hot(ids, 5, axis=0)",
]


_RUNNER = textwrap.dedent("""
    import json, sys
    import numpy as np
    import keras
    data = np.load(sys.argv[1])
    env = {k: data[k] for k in data.files}
    env.update(ops=keras.ops, np=np)
    cases = json.loads(open(sys.argv[2]).read())
    out = {}
    def flat(v):
        if isinstance(v, (list, tuple)):
            return [a for x in v for a in flat(x)]
        return [np.asarray(keras.ops.convert_to_numpy(v))]
    for i, case in enumerate(cases):
        for j, a in enumerate(flat(eval(case, env))):
            out[f"{i}_{j}"] = a
    np.savez(sys.argv[3], **out)
""")


def _flat(value):
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _flat(v)]
    return [np.asarray(torchkeras.ops.convert_to_numpy(value))]


def _keras_python():
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("set TORCHKERAS_KERAS_PYTHON to a Python with Keras 3 "
                    "to compare with Keras itself")
    return python


def test_ops_match_keras3(tmp_path):
    python = _keras_python()
    np.savez(tmp_path / "inputs.npz", **INPUTS)
    (tmp_path / "cases.json").write_text(json.dumps(CASES))
    (tmp_path / "runner.py").write_text(_RUNNER)
    env = dict(os.environ, KERAS_BACKEND="jax", JAX_PLATFORMS="cpu")
    done = subprocess.run(
        [python, str(tmp_path / "runner.py"), str(tmp_path / "inputs.npz"),
         str(tmp_path / "cases.json"), str(tmp_path / "keras.npz")],
        capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = np.load(tmp_path / "keras.npz")
    env = dict(INPUTS, ops=torchkeras.ops, np=np)
    failures = []
    for i, case in enumerate(CASES):
        ours = _flat(eval(case, env))  # noqa: S307 - our own case text
        for j, value in enumerate(ours):
            want = expected[f"{i}_{j}"]
            if value.shape != want.shape:
                failures.append(f"{case} [{j}]: shape {value.shape} != "
                                f"{want.shape}")
            elif want.dtype.kind in "fc":
                finite = np.abs(want[np.isfinite(want)])
                scale = max(1.0, float(finite.max()) if finite.size else 1.0)
                if not np.allclose(value, want, rtol=1e-4,
                                   atol=1e-4 * scale, equal_nan=True):
                    failures.append(
                        f"{case} [{j}]: max error "
                        f"{np.abs(value - want).max()}")
            elif not np.array_equal(value, want):
                failures.append(f"{case} [{j}]: {value} != {want}")
        assert len(ours) == sum(k.startswith(f"{i}_") for k in
                                expected.files), case
    assert not failures, "\n".join(failures)
