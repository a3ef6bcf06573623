"""CUDA checks of the core layers: the same numbers as NumPy and the CPU.

BatchNormalization's training path relies on what torch's CUDA kernels
(cuDNN or native) write into the running-statistics buffers; these tests
pin that down on the device. Skipped where no GPU is visible.
"""

import numpy as np
import pytest
import torch

from torchkeras import backend
from torchkeras import layers

pytestmark = pytest.mark.cuda
CUDA = torch.device("cuda")


def _numpy_bn_steps(xs, axis, momentum, eps):
    dims = tuple(d for d in range(xs[0].ndim) if d != axis % xs[0].ndim)
    shape = [1] * xs[0].ndim
    shape[axis] = xs[0].shape[axis]
    mm, mv, outs = 0.0, 1.0, []
    for x in xs:
        mean, var = x.mean(axis=dims), x.var(axis=dims)
        mm = mm * momentum + mean * (1 - momentum)
        mv = mv * momentum + var * (1 - momentum)
        outs.append((x - mean.reshape(shape)) /
                    np.sqrt(var.reshape(shape) + eps))
    return outs, mm, mv


@pytest.mark.parametrize("axis, shape, channels_last_memory", [
    (-1, (8, 6, 5, 16), False),
    (1, (8, 16, 6, 5), False),
    (1, (8, 16, 6, 5), True),
    (-1, (64, 32), False),
    (2, (4, 3, 8, 7), False),
])
def test_batch_normalization_cuda_matches_numpy(axis, shape,
                                                channels_last_memory):
    rng = np.random.default_rng(0)
    xs = [rng.normal(i, 1.0 + i, shape).astype("float32") for i in range(3)]
    ref_outs, mm, mv = _numpy_bn_steps([x.astype("float64") for x in xs],
                                       axis, 0.9, 1e-3)
    layer = layers.BatchNormalization(axis=axis, momentum=0.9)
    for x, ref in zip(xs, ref_outs):  # builds on the inputs' device
        t = torch.from_numpy(x).to(CUDA)
        if channels_last_memory:
            t = t.contiguous(memory_format=torch.channels_last)
        out = layer(t, training=True)
        assert out.device.type == "cuda"
        np.testing.assert_allclose(out.detach().cpu().numpy(), ref,
                                   atol=2e-4, rtol=2e-4)
    weights = layer.get_weights()
    np.testing.assert_allclose(weights[2], mm, rtol=1e-5, atol=1e-5)
    # The moving variance takes the *biased* batch variance (Keras).
    np.testing.assert_allclose(weights[3], mv, rtol=1e-5, atol=1e-5)


def test_batch_normalization_cuda_gradients_match_cpu():
    x = torch.randn(16, 7, 5, dtype=torch.float64)
    grads = []
    for device in ("cpu", CUDA.type):
        with backend.device(device):
            layer = layers.BatchNormalization(dtype="float64")
            xd = x.to(device).detach().requires_grad_(True)
            out = layer(xd, training=True)
        (out * torch.arange(5.0, dtype=torch.float64, device=device)).sum(
        ).backward()
        grads.append((xd.grad.cpu(), layer.gamma.grad.cpu(),
                      layer.beta.grad.cpu()))
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-9)


def test_dropout_cuda_seeded_and_statistics():
    x = torch.ones(256, 512, device=CUDA)
    a = layers.Dropout(0.25, seed=5)(x, training=True)
    b = layers.Dropout(0.25, seed=5)(x, training=True)
    assert torch.equal(a, b)
    kept = (layers.Dropout(0.25)(x, training=True) != 0).float().mean()
    assert abs(kept.item() - 0.75) < 0.01
    y = layers.SpatialDropout2D(0.5)(torch.ones(8, 4, 4, 32, device=CUDA),
                                     training=True)
    assert torch.equal(y.amax(dim=(1, 2)), y.amin(dim=(1, 2)))


@pytest.mark.parametrize("make, shapes", [
    (lambda: layers.LayerNormalization(), [(4, 6, 8)]),
    (lambda: layers.LayerNormalization(axis=1), [(4, 6, 8)]),
    (lambda: layers.GroupNormalization(groups=4), [(4, 6, 8)]),
    (lambda: layers.UnitNormalization(), [(4, 8)]),
    (lambda: layers.Dot(axes=(1, 2), normalize=True),
     [(3, 5, 4), (3, 6, 5)]),
    (lambda: layers.Concatenate(axis=1), [(3, 5, 4), (3, 2, 4)]),
    (lambda: layers.Maximum(), [(3, 4), (3, 4)]),
    (lambda: layers.PReLU(alpha_initializer="random_uniform"), [(3, 4)]),
    (lambda: layers.Softmax(axis=[1, 2]), [(3, 4, 5)]),
])
def test_layers_cuda_match_cpu(make, shapes):
    xs = [torch.randn(s) for s in shapes]
    build_shape = shapes if len(shapes) > 1 else shapes[0]

    def call(layer, inputs):
        return layer(inputs if len(inputs) > 1 else inputs[0])

    with backend.device("cpu"):
        cpu_layer = make()
        cpu_layer.build(build_shape)
        expected = call(cpu_layer, xs)
    with backend.device(CUDA.type):
        gpu_layer = make()
        gpu_layer.build(build_shape)
        gpu_layer.set_weights(cpu_layer.get_weights())
        got = call(gpu_layer, [x.to(CUDA) for x in xs])
    assert got.device.type == CUDA.type
    torch.testing.assert_close(got.detach().cpu(), expected.detach(),
                               rtol=1e-5, atol=1e-5)
