"""Op coverage: every Keras 3 ``keras.ops`` name and every tf.keras 2
``keras.backend`` name exists here, runs eagerly and symbolically.

The reference lists are data: ``tests/ops/data/keras3_ops_names.txt``
(public callables of ``keras.ops`` and its public submodules ``image``,
``linalg``, ``nn``, ``numpy`` in Keras 3.15.1; ``math`` and ``core`` are not
public submodules there, their functions are in ``keras.ops``), written by::

    KERAS_BACKEND=jax .keras-oracle/bin/python -c "
    import inspect, keras
    for sub in ('', 'image', 'linalg', 'nn', 'numpy'):
        mod = getattr(keras.ops, sub) if sub else keras.ops
        prefix = 'ops.' + (sub + '.' if sub else '')
        for n in sorted(dir(mod)):
            v = getattr(mod, n)
            if (not n.startswith('_') and callable(v)
                    and not inspect.ismodule(v)):
                print(prefix + n)"

and ``tests/backend/data/tf_keras2_backend_names.txt`` (the
``keras.backend`` names tf-keras exports, from its ``keras_export`` calls).

Each present name is called with example arguments (``EXAMPLES``; default:
one float tensor of shape ``(2, 3)``): eagerly it must run; symbolically
(KerasTensors with an unknown batch dimension in place of the tensors
made by ``t.x``) it must return KerasTensors, or a documented non-tensor
(``NON_TENSOR``), or raise the TypeError of the eager-only names
(``EAGER_ONLY``: loops over Python callables, variable updates). Names
whose arguments hold no batch tensor (``NO_TENSOR``: constructors such as
``zeros``, ``random_normal``, configuration) are called eagerly only.
"""

import pathlib
import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.utils import tree

DATA = pathlib.Path(__file__).resolve().parent / "data"
BACKEND_DATA = DATA.parents[1] / "backend" / "data"


def _names(path, prefix=""):
    return [prefix + line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


KERAS3_NAMES = _names(DATA / "keras3_ops_names.txt")
TF2_BACKEND_NAMES = _names(BACKEND_DATA / "tf_keras2_backend_names.txt",
                           "backend.")


def _resolve(name):
    obj = keras
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def _missing(names):
    return [n for n in names if _resolve(n) is None]


def test_keras3_ops_names_are_all_present():
    missing = _missing(KERAS3_NAMES)
    assert not missing, (
        f"{len(missing)} of {len(KERAS3_NAMES)} Keras 3 ops names are "
        f"missing: {missing}")


def test_tf_keras2_backend_names_are_all_present():
    missing = _missing(TF2_BACKEND_NAMES)
    assert not missing, (
        f"{len(missing)} of {len(TF2_BACKEND_NAMES)} tf.keras 2 backend "
        f"names are missing: {missing}")


def test_reference_lists_are_complete():
    # The lists themselves: guards against an empty or truncated file.
    assert len(KERAS3_NAMES) == 644
    assert {"ops.mean", "ops.nn.relu", "ops.numpy.add", "ops.linalg.qr",
            "ops.image.resize", "ops.cond"} <= set(KERAS3_NAMES)
    assert len(TF2_BACKEND_NAMES) == 149
    assert {"backend.shape", "backend.ctc_batch_cost", "backend.rnn",
            "backend.get_session"} <= set(TF2_BACKEND_NAMES)


class Maker:
    """Example arguments: ``x`` is a batch tensor (a KerasTensor with an
    unknown first dimension when symbolic), ``c`` always a constant."""

    def __init__(self, symbolic):
        self.symbolic = symbolic
        self.rng = np.random.default_rng(0)

    def c(self, shape=(2, 3), dtype="float32", low=0.1, high=0.9):
        if dtype.startswith("int"):
            value = self.rng.integers(int(low * 10), int(high * 10) + 1,
                                      size=shape)
        elif dtype == "bool":
            value = self.rng.random(shape) > 0.5
        else:
            value = self.rng.uniform(low, high, size=shape)
        return torch.as_tensor(np.asarray(value).astype(dtype))

    def x(self, shape=(2, 3), dtype="float32", low=0.1, high=0.9):
        if self.symbolic:
            return keras.Input(batch_shape=(None,) + tuple(shape[1:]),
                               dtype=dtype)
        return self.c(shape, dtype, low, high)


def _binary(t):
    return (t.x(), t.x()), {}


def _ints2(t):
    return (t.x(dtype="int32"), t.x(dtype="int32")), {}


def _spd(t):
    if t.symbolic:
        return (t.x((2, 3, 3)),), {}
    a = t.c((2, 3, 3))
    return (a @ a.transpose(1, 2) + 3 * torch.eye(3),), {}


def _images(t):
    return (t.x((2, 4, 4, 3)),), {}


BINARY = """add allclose append arctan2 cross divide divide_no_nan equal
floor_divide fmax fmin fmod greater greater_equal heaviside hypot inner
isclose isin kron less less_equal logaddexp logaddexp2 logical_and
logical_or logical_xor maximum minimum mod multiply nextafter not_equal
outer power subtract tensordot true_divide vdot cdist maximum
""".split()
INT_BINARY = """gcd lcm bitwise_and bitwise_or bitwise_xor left_shift
right_shift bitwise_left_shift bitwise_right_shift""".split()

EXAMPLES = {name: _binary for name in BINARY}
EXAMPLES.update({name: _ints2 for name in INT_BINARY})
EXAMPLES.update({
    # keras.ops (numpy)
    "bitwise_invert": lambda t: ((t.x(dtype="int32"),), {}),
    "bitwise_not": lambda t: ((t.x(dtype="int32"),), {}),
    "invert": lambda t: ((t.x(dtype="int32"),), {}),
    "bincount": lambda t: ((t.c((5,), "int32"),), {}),
    "arange": lambda t: ((5,), {}),
    "bartlett": lambda t: ((5,), {}), "blackman": lambda t: ((5,), {}),
    "hamming": lambda t: ((5,), {}), "hanning": lambda t: ((5,), {}),
    "kaiser": lambda t: ((5, 2.0), {}),
    "empty": lambda t: (((2, 3),), {}), "ones": lambda t: (((2, 3),), {}),
    "zeros": lambda t: (((2, 3),), {}), "full": lambda t: (((2, 3), 1.5), {}),
    "eye": lambda t: ((3,), {}), "identity": lambda t: ((3,), {}),
    "tri": lambda t: ((3,), {}),
    "linspace": lambda t: ((0.0, 1.0, 5), {}),
    "logspace": lambda t: ((0.0, 1.0, 5), {}),
    "geomspace": lambda t: ((1.0, 8.0, 4), {}),
    "full_like": lambda t: ((t.x(), 2.0), {}),
    "argpartition": lambda t: ((t.x(), 1), {}),
    "array_split": lambda t: ((t.x(), 3), {"axis": 1}),
    "split": lambda t: ((t.x(), 3), {"axis": 1}),
    "hsplit": lambda t: ((t.x((2, 4)), 2), {}),
    "vsplit": lambda t: ((t.c((2, 3)), 2), {}),
    "dsplit": lambda t: ((t.x((2, 3, 4)), 2), {}),
    "broadcast_to": lambda t: ((t.c((3,)), (2, 3)), {}),
    "cast": lambda t: ((t.x(), "int32"), {}),
    "saturate_cast": lambda t: ((t.x(), "int32"), {}),
    "clip": lambda t: ((t.x(), 0.2, 0.8), {}),
    "correlate": lambda t: ((t.c((5,)), t.c((3,))), {}),
    "digitize": lambda t: ((t.x(), [0.25, 0.5, 0.75]), {}),
    "dot": lambda t: ((t.x(), t.c((3, 2))), {}),
    "matmul": lambda t: ((t.x(), t.c((3, 2))), {}),
    "einsum": lambda t: (("ij,jk->ik", t.x(), t.c((3, 2))), {}),
    "expand_dims": lambda t: ((t.x(), 1), {}),
    "get_item": lambda t: ((t.x(), (slice(None), 1)), {}),
    "ldexp": lambda t: ((t.x(), t.x(dtype="int32")), {}),
    "meshgrid": lambda t: ((t.c((3,)), t.c((2,))), {}),
    "moveaxis": lambda t: ((t.x((2, 3, 4)), 1, 2), {}),
    "swapaxes": lambda t: ((t.x((2, 3, 4)), 1, 2), {}),
    "pad": lambda t: ((t.x(), ((0, 0), (1, 1))), {}),
    "percentile": lambda t: ((t.x(), 50.0), {"axis": 1}),
    "nanpercentile": lambda t: ((t.x(), 50.0), {"axis": 1}),
    "quantile": lambda t: ((t.x(), 0.5), {"axis": 1}),
    "nanquantile": lambda t: ((t.x(), 0.5), {"axis": 1}),
    "repeat": lambda t: ((t.x(), 2), {"axis": 1}),
    "reshape": lambda t: ((t.x(), (-1, 3, 1)), {}),
    "roll": lambda t: ((t.x(), 1), {"axis": 1}),
    "searchsorted": lambda t: ((t.c((4,)), t.c((3,))), {}),
    "select": lambda t: (([t.x() > 0.5], [t.x()]), {}),
    "take": lambda t: ((t.x(), t.c((2,), "int32", 0, 0.2)), {"axis": 1}),
    "take_along_axis": lambda t: (
        (t.x(), t.c((2, 3), "int32", 0, 0.2)), {"axis": 1}),
    "tile": lambda t: ((t.x(), (1, 2)), {}),
    "unravel_index": lambda t: ((t.x((2,), "int32"), (2, 5)), {}),
    "nonzero": lambda t: ((t.c(),), {}),
    "unique": lambda t: ((t.c((6,), "int32"),), {}),
    "histogram": lambda t: ((t.c((6,)),), {}),
    "vectorize": lambda t: ((lambda v: v * 2,), {}),
    "view": lambda t: ((t.x(), "int32"), {}),
    "polar": lambda t: ((t.x(), t.x()), {}),
    "threshold": lambda t: ((t.x(), 0.5, 0.0), {}),
    "view_as_complex": lambda t: ((t.x((2, 3, 2)),), {}),
    "view_as_real": lambda t: ((t.x((2, 3), "complex64"),), {}),
    "sobel_edges": _images,
    "slogdet": _spd, "logdet": _spd,
    "psnr": lambda t: ((t.x(), t.x(), 1.0), {}),
    # keras.ops (core)
    "associative_scan": lambda t: ((lambda a, b: a + b, t.x()), {}),
    "cond": lambda t: ((True, lambda: t.x(), lambda: t.x()), {}),
    "convert_to_numpy": lambda t: ((t.x(),), {}),
    "custom_gradient": lambda t: ((lambda v: (v, lambda g: g),), {}),
    "fori_loop": lambda t: ((0, 2, lambda i, v: v + 1, t.x()), {}),
    "map": lambda t: ((lambda v: v * 2, t.x()), {}),
    "scan": lambda t: ((lambda c, v: (c + v, c), t.c((3,)), t.x()), {}),
    "scatter": lambda t: ((t.c((2, 1), "int32", 0, 0.1), t.c((2,)),
                           (4,)), {}),
    "scatter_update": lambda t: (
        (t.x(), t.c((1, 2), "int32", 0, 0.1), t.c((1,))), {}),
    "slice": lambda t: ((t.x(), (0, 1), (1, 2)), {}),
    "slice_update": lambda t: ((t.x(), (0, 1), t.c((1, 2))), {}),
    "switch": lambda t: ((0, [lambda v: v, lambda v: -v], t.x()), {}),
    "vectorized_map": lambda t: ((lambda v: v * 2, t.x()), {}),
    "while_loop": lambda t: (
        (lambda v: False, lambda v: (v + 1,), (t.x(),)), {}),
    "jvp": lambda t: ((lambda v: v * 2, (t.x(),), (t.x(),)), {}),
    # keras.ops (nn)
    "adaptive_average_pool": lambda t: ((t.x((2, 4, 4, 3)), (2, 2)), {}),
    "adaptive_max_pool": lambda t: ((t.x((2, 4, 4, 3)), (2, 2)), {}),
    "average_pool": lambda t: ((t.x((2, 4, 4, 3)), 2), {}),
    "max_pool": lambda t: ((t.x((2, 4, 4, 3)), 2), {}),
    "batch_normalization": lambda t: (
        (t.x(), t.c((3,)), t.c((3,)), -1), {}),
    "binary_crossentropy": _binary,
    "categorical_crossentropy": _binary,
    "sparse_categorical_crossentropy": lambda t: (
        (t.x((2,), "int32", 0, 0.2), t.x()), {}),
    "conv": lambda t: ((t.x((2, 5, 5, 3)), t.c((3, 3, 3, 2))), {}),
    "conv_transpose": lambda t: ((t.x((2, 5, 5, 3)), t.c((3, 3, 2, 3))),
                                 {}),
    "depthwise_conv": lambda t: ((t.x((2, 5, 5, 3)), t.c((3, 3, 3, 1))),
                                 {}),
    "separable_conv": lambda t: ((t.x((2, 5, 5, 3)), t.c((3, 3, 3, 1)),
                                  t.c((1, 1, 3, 2))), {}),
    "ctc_loss": lambda t: ((t.x((2, 3), "int32", 0.1, 0.2),
                            t.x((2, 6, 4)), t.x((2,), "int32", 0.3, 0.3),
                            t.x((2,), "int32", 0.6, 0.6)), {}),
    "ctc_decode": lambda t: ((t.x((2, 6, 4)),
                              t.x((2,), "int32", 0.6, 0.6)), {}),
    "depth_to_space": lambda t: ((t.x((2, 2, 2, 4)), 2), {}),
    "space_to_depth": lambda t: ((t.x((2, 4, 4, 3)), 2), {}),
    "dot_product_attention": lambda t: (
        (t.x((2, 4, 2, 8)), t.x((2, 4, 2, 8)), t.x((2, 4, 2, 8))), {}),
    "extract_sequences": lambda t: ((t.x((2, 8)), 4, 2), {}),
    "fold": lambda t: ((t.x((2, 12, 4)), (3, 3), 2), {}),
    "unfold": lambda t: ((t.x((2, 3, 4, 4)), 2), {}),
    "glu": lambda t: ((t.x((2, 4)),), {}),
    "in_top_k": lambda t: ((t.x((2,), "int32", 0, 0.2), t.x(), 1), {}),
    "moments": lambda t: ((t.x(), [1]), {}),
    "multi_hot": lambda t: ((t.x((2, 2), "int32", 0, 0.2), 3), {}),
    "one_hot": lambda t: ((t.x((2,), "int32", 0, 0.2), 3), {}),
    "stft": lambda t: ((t.x((2, 16)), 8, 4, 8), {}),
    "istft": lambda t: (((t.x((2, 5, 5)), t.x((2, 5, 5))), 8, 4, 8), {}),
    "fft": lambda t: (((t.x(), t.x()),), {}),
    "fft2": lambda t: (((t.x(), t.x()),), {}),
    "ifft2": lambda t: (((t.x(), t.x()),), {}),
    "irfft": lambda t: (((t.x(), t.x()),), {}),
    "segment_max": lambda t: ((t.c((4, 3)), t.c((4,), "int32", 0, 0.1)),
                              {"num_segments": 2}),
    "segment_min": lambda t: ((t.c((4, 3)), t.c((4,), "int32", 0, 0.1)),
                              {"num_segments": 2}),
    "segment_prod": lambda t: ((t.c((4, 3)), t.c((4,), "int32", 0, 0.1)),
                               {"num_segments": 2}),
    "segment_sum": lambda t: ((t.c((4, 3)), t.c((4,), "int32", 0, 0.1)),
                              {"num_segments": 2}),
    "top_k": lambda t: ((t.x(), 2), {}),
    # keras.ops.linalg
    "cholesky": _spd, "cholesky_inverse": _spd, "det": _spd, "eig": _spd,
    "eigh": _spd, "inv": _spd, "lu_factor": _spd,
    "solve": lambda t: (_spd(t)[0] + (t.x((2, 3, 1)),), {}),
    "solve_triangular": lambda t: (_spd(t)[0] + (t.x((2, 3, 1)),), {}),
    "lstsq": lambda t: ((t.c((3, 3)) + 3 * torch.eye(3), t.c((3, 2))), {}),
    # keras.ops.image
    "affine_transform": lambda t: (
        (t.x((2, 4, 4, 3)), t.c((2, 8)) * 0
         + torch.tensor([1, 0, 0, 0, 1, 0, 0, 0.0])), {}),
    "crop_images": lambda t: ((t.x((2, 4, 4, 3)), 1, 1), {
        "target_height": 2, "target_width": 2}),
    "pad_images": lambda t: ((t.x((2, 4, 4, 3)), 1, 1), {
        "target_height": 6, "target_width": 6}),
    "extract_patches": lambda t: ((t.x((2, 4, 4, 3)), 2), {}),
    "extract_patches_3d": lambda t: ((t.x((2, 4, 4, 4, 3)), 2), {}),
    "gaussian_blur": _images, "hsv_to_rgb": _images, "rgb_to_hsv": _images,
    "rgb_to_grayscale": _images,
    "resize": lambda t: ((t.x((2, 4, 4, 3)), (2, 2)), {}),
    "map_coordinates": lambda t: (
        (t.c((4, 4)), t.c((2, 3, 3), low=0.0, high=3.0), 1), {}),
    "ssim": lambda t: ((t.x((2, 12, 12, 3)), t.x((2, 12, 12, 3))), {}),
    "perspective_transform": lambda t: (
        (t.x((2, 4, 4, 3)), t.c((4, 2)), t.c((4, 2))), {}),
    "elastic_transform": _images,
    "scale_and_translate": lambda t: (
        (t.x((2, 4, 4, 3)), (2, 8, 8, 3), t.c((2,)) + 1.5, t.c((2,)),
         (1, 2), "linear"), {}),
    "rearrange": lambda t: ((t.x(), "b c -> c b"), {}),
})

def _k_function(t):
    x = keras.Input((3,))
    return ([x], [x * 2.0]), {}


def _gradients(t):
    v = keras.backend.variable(t.c())
    loss = t.x() if t.symbolic else (v * v).sum()
    return (loss, [v]), {}


BACKEND_EXAMPLES = {
    "arange": lambda t: ((5,), {}),
    "backend": lambda t: ((), {}),
    "batch_dot": lambda t: ((t.x((2, 3, 4)), t.x((2, 4, 5))), {}),
    "batch_get_value": lambda t: (([t.x()],), {}),
    "batch_set_value": lambda t: (([(keras.backend.variable(t.c()),
                                     t.x())],), {}),
    "batch_normalization": lambda t: (
        (t.x(), t.c((3,)), t.c((3,)), t.c((3,)), t.c((3,))), {}),
    "bias_add": lambda t: ((t.x(), t.c((3,))), {}),
    "binary_crossentropy": _binary,
    "binary_focal_crossentropy": _binary,
    "categorical_crossentropy": _binary,
    "categorical_focal_crossentropy": _binary,
    "sparse_categorical_crossentropy": lambda t: (
        (t.x((2,), "int32", 0, 0.2), t.x()), {}),
    "cast": lambda t: ((t.x(), "int32"), {}),
    "clear_session": lambda t: ((), {}),
    "clip": lambda t: ((t.x(), 0.2, 0.8), {}),
    "constant": lambda t: ((1.5,), {"shape": (2, 3)}),
    "conv1d": lambda t: ((t.x((2, 5, 3)), t.c((3, 3, 2))), {}),
    "conv2d": lambda t: ((t.x((2, 5, 5, 3)), t.c((3, 3, 3, 2))), {}),
    "conv3d": lambda t: ((t.x((2, 4, 4, 4, 3)), t.c((2, 2, 2, 3, 2))), {}),
    "conv2d_transpose": lambda t: (
        (t.x((2, 3, 3, 3)), t.c((2, 2, 2, 3)), (None, 6, 6, 2), (2, 2)),
        {}),
    "depthwise_conv2d": lambda t: (
        (t.x((2, 5, 5, 3)), t.c((3, 3, 3, 1))), {}),
    "separable_conv2d": lambda t: (
        (t.x((2, 5, 5, 3)), t.c((3, 3, 3, 1)), t.c((1, 1, 3, 2))), {}),
    "ctc_batch_cost": lambda t: (
        (t.x((2, 3), "int32", 0.1, 0.2), t.x((2, 6, 4)),
         t.x((2, 1), "int32", 0.6, 0.6), t.x((2, 1), "int32", 0.3, 0.3)),
        {}),
    "ctc_decode": lambda t: ((t.x((2, 6, 4)), t.c((2,), "int32", 0.6, 0.6)),
                             {}),
    "ctc_label_dense_to_sparse": lambda t: (
        (t.c((2, 3), "int32", 0.1, 0.2), t.c((2,), "int32", 0.3, 0.3)), {}),
    "dot": lambda t: ((t.x(), t.c((3, 2))), {}),
    "dropout": lambda t: ((t.x(), 0.5), {}),
    "epsilon": lambda t: ((), {}),
    "eye": lambda t: ((3,), {}),
    "floatx": lambda t: ((), {}),
    "foldl": lambda t: ((lambda a, v: a + v, t.x()), {}),
    "foldr": lambda t: ((lambda a, v: a + v, t.x()), {}),
    "map_fn": lambda t: ((lambda v: v * 2, t.x()), {}),
    "function": _k_function,
    "gather": lambda t: ((t.x(), t.c((2,), "int32", 0, 0.1)), {}),
    "get_session": lambda t: ((), {}),
    "get_uid": lambda t: (("coverage",), {}),
    "gradients": _gradients,
    "image_data_format": lambda t: ((), {}),
    "in_test_phase": lambda t: ((t.x(), t.x()), {}),
    "in_train_phase": lambda t: ((t.x(), t.x()), {}),
    "in_top_k": lambda t: ((t.x(), t.x((2,), "int32", 0, 0.2), 1), {}),
    "learning_phase": lambda t: ((), {}),
    "learning_phase_scope": lambda t: ((0,), {}),
    "local_conv1d": lambda t: ((t.x((2, 5, 3)), t.c((4, 6, 2)), (2,), (1,)),
                               {}),
    "local_conv2d": lambda t: (
        (t.x((2, 4, 4, 3)), t.c((9, 12, 2)), (2, 2), (1, 1), (3, 3)), {}),
    "manual_variable_initialization": lambda t: ((False,), {}),
    "moving_average_update": lambda t: (
        (keras.backend.variable(t.c()), t.x(), 0.9), {}),
    "name_scope": lambda t: (("coverage",), {}),
    "normalize_batch_in_training": lambda t: (
        (t.x(), t.c((3,)), t.c((3,)), [0]), {}),
    "one_hot": lambda t: ((t.x((2,), "int32", 0, 0.2), 3), {}),
    "ones": lambda t: (((2, 3),), {}),
    "permute_dimensions": lambda t: ((t.x(), (1, 0)), {}),
    "placeholder": lambda t: (((None, 3),), {}),
    "pool2d": lambda t: ((t.x((2, 4, 4, 3)), (2, 2)), {}),
    "pool3d": lambda t: ((t.x((2, 4, 4, 4, 3)), (2, 2, 2)), {}),
    "pow": lambda t: ((t.x(), 2), {}),
    "random_bernoulli": lambda t: (((2, 3),), {"p": 0.5}),
    "random_binomial": lambda t: (((2, 3),), {"p": 0.5}),
    "random_normal": lambda t: (((2, 3),), {}),
    "random_normal_variable": lambda t: (((2, 3), 0.0, 1.0), {}),
    "random_uniform": lambda t: (((2, 3),), {}),
    "random_uniform_variable": lambda t: (((2, 3), 0.0, 1.0), {}),
    "truncated_normal": lambda t: (((2, 3),), {}),
    "repeat": lambda t: ((t.x(), 2), {}),
    "repeat_elements": lambda t: ((t.x(), 2, 1), {}),
    "reset_uids": lambda t: ((), {}),
    "reshape": lambda t: ((t.x(), (-1, 3, 1)), {}),
    "resize_images": lambda t: ((t.x((2, 2, 2, 3)), 2, 2, "channels_last"),
                                {}),
    "resize_volumes": lambda t: (
        (t.x((2, 2, 2, 2, 3)), 2, 2, 2, "channels_last"), {}),
    "reverse": lambda t: ((t.x(), 1), {}),
    "rnn": lambda t: ((lambda v, s: (v + s[0], [v + s[0]]), t.x((2, 4, 3)),
                       [t.x()]), {}),
    "set_epsilon": lambda t: ((keras.backend.epsilon(),), {}),
    "set_floatx": lambda t: ((keras.backend.floatx(),), {}),
    "set_image_data_format": lambda t: (
        (keras.backend.image_data_format(),), {}),
    "set_learning_phase": lambda t: ((0,), {}),
    "set_session": lambda t: ((keras.backend.get_session(),), {}),
    "set_value": lambda t: ((keras.backend.variable(t.c()), t.x()), {}),
    "spatial_2d_padding": _images,
    "spatial_3d_padding": lambda t: ((t.x((2, 2, 2, 2, 3)),), {}),
    "temporal_padding": lambda t: ((t.x((2, 4, 3)),), {}),
    "squeeze": lambda t: ((t.x((2, 1, 3)), 1), {}),
    "stack": lambda t: (([t.x(), t.x()],), {}),
    "concatenate": lambda t: (([t.x(), t.x()],), {}),
    "switch": lambda t: ((t.x() > 0.5, t.x(), t.x()), {}),
    "tile": lambda t: ((t.x(), (1, 2)), {}),
    "update": lambda t: ((keras.backend.variable(t.c()), t.x()), {}),
    "update_add": lambda t: ((keras.backend.variable(t.c()), t.x()), {}),
    "update_sub": lambda t: ((keras.backend.variable(t.c()), t.x()), {}),
    "variable": lambda t: ((t.c(),), {}),
    "zeros": lambda t: (((2, 3),), {}),
    "maximum": _binary, "minimum": _binary, "equal": _binary,
    "not_equal": _binary, "greater": _binary, "greater_equal": _binary,
    "less": _binary, "less_equal": _binary,
}

# Called eagerly only: their arguments hold no batch tensor.
NO_TENSOR = {
    "arange", "bartlett", "blackman", "hamming", "hanning", "kaiser",
    "empty", "ones", "zeros", "full", "eye", "identity", "tri", "linspace",
    "logspace", "geomspace", "meshgrid", "correlate", "searchsorted",
    "broadcast_to", "bincount", "nonzero", "unique", "histogram",
    "vectorize", "custom_gradient", "vsplit", "scatter", "lstsq",
    "map_coordinates",
    "segment_max", "segment_min", "segment_prod", "segment_sum",
    "backend.backend", "backend.clear_session", "backend.constant",
    "backend.epsilon", "backend.eye", "backend.floatx", "backend.get_session",
    "backend.get_uid", "backend.image_data_format", "backend.learning_phase",
    "backend.learning_phase_scope", "backend.manual_variable_initialization",
    "backend.name_scope", "backend.ones", "backend.placeholder",
    "backend.random_bernoulli", "backend.random_binomial",
    "backend.random_normal", "backend.random_normal_variable",
    "backend.random_uniform", "backend.random_uniform_variable",
    "backend.reset_uids", "backend.set_epsilon", "backend.set_floatx",
    "backend.set_image_data_format", "backend.set_learning_phase",
    "backend.set_session", "backend.truncated_normal", "backend.variable",
    "backend.zeros", "backend.arange", "backend.ctc_decode",
    "backend.ctc_label_dense_to_sparse", "backend.function",
}

# Symbolically they return a non-tensor (a Python value or a callable).
NON_TENSOR = {
    "shape", "ndim", "dtype", "is_tensor", "backend.int_shape",
    "backend.ndim", "backend.dtype", "backend.is_keras_tensor",
    "backend.is_sparse", "backend.in_test_phase", "backend.in_train_phase",
}

# Eager only: a KerasTensor argument raises TypeError (loops over Python
# callables, variable updates, host values).
EAGER_ONLY = {
    "backend.foldl", "backend.foldr", "backend.map_fn", "backend.rnn",
    "backend.gradients", "backend.update", "backend.update_add",
    "backend.update_sub", "backend.moving_average_update",
    "backend.set_value", "backend.batch_set_value", "backend.get_value",
    "backend.batch_get_value", "backend.eval", "backend.count_params",
    "convert_to_numpy",
}
# Keras 3 traces these symbolically; here they may instead be eager only.
EAGER_OR_SYMBOLIC = {
    "associative_scan", "cond", "fori_loop", "map", "scan", "switch",
    "vectorized_map", "while_loop", "jvp", "select",
}


def _example(name, t):
    short = name.rsplit(".", 1)[-1]
    if name.startswith("backend."):
        make = BACKEND_EXAMPLES.get(short)
        if make is not None:
            return make(t)
    make = EXAMPLES.get(short)
    if make is not None:
        return make(t)
    return (t.x(),), {}


def _key(name):
    """``ops.nn.relu`` -> ``relu``; backend names keep their prefix."""
    if name.startswith("backend."):
        return name
    return name.rsplit(".", 1)[-1]


def _distinct(names):
    """Present names, one per function (``ops.add`` is
    ``ops.numpy.add``: tried once)."""
    seen = set()
    kept = []
    for name in names:
        fn = _resolve(name)
        if fn is not None and (id(fn), _key(name)) not in seen:
            seen.add((id(fn), _key(name)))
            kept.append(name)
    return kept


PRESENT = _distinct(KERAS3_NAMES + TF2_BACKEND_NAMES)


def _call(name, args, kwargs):
    fn = _resolve(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated tf.keras names warn
        out = fn(*args, **kwargs)
        if name == "backend.learning_phase_scope":
            with out:
                pass
    return out


@pytest.fixture(autouse=True)
def _keep_global_state():
    backend = keras.backend
    saved = (backend.floatx(), backend.epsilon(),
             backend.image_data_format())
    yield
    backend.set_floatx(saved[0])
    backend.set_epsilon(saved[1])
    backend.set_image_data_format(saved[2])
    keras.backend.keras_backend._GLOBAL_LEARNING_PHASE[0] = None


@pytest.mark.parametrize("name", PRESENT)
def test_runs_eagerly(name):
    args, kwargs = _example(name, Maker(symbolic=False))
    out = _call(name, args, kwargs)
    for value in tree.flatten(out) if isinstance(out, (list, tuple)) else [
            out]:
        assert not isinstance(value, keras.KerasTensor) or (
            name == "backend.placeholder"), f"{name} returned {value!r}"


SYMBOLIC = [n for n in PRESENT if _key(n) not in NO_TENSOR]


@pytest.mark.parametrize("name", SYMBOLIC)
def test_runs_symbolically(name):
    args, kwargs = _example(name, Maker(symbolic=True))
    key = _key(name)
    if key in EAGER_ONLY:
        with pytest.raises(TypeError):
            _call(name, args, kwargs)
        return
    if key in EAGER_OR_SYMBOLIC:
        try:
            out = _call(name, args, kwargs)
        except TypeError:
            return
    else:
        out = _call(name, args, kwargs)
    if key in NON_TENSOR:
        assert not torch.is_tensor(out), f"{name} returned {out!r}"
        return
    flat = tree.flatten(out) if isinstance(out, (list, tuple, dict)) else [
        out]
    tensors = [v for v in flat if torch.is_tensor(v)]
    symbolic = [v for v in flat if isinstance(v, keras.KerasTensor)]
    assert symbolic and not tensors, (
        f"{name} on KerasTensors returned {out!r}: expected KerasTensors")
