"""Tests for the elementwise merges: Add, Subtract, Multiply, Average,
Maximum, Minimum, and their functional forms."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.testing import run_layer_test

REFERENCES = {
    layers.Add: lambda xs: xs[0] + xs[1] + xs[2],
    layers.Multiply: lambda xs: xs[0] * xs[1] * xs[2],
    layers.Average: lambda xs: (xs[0] + xs[1] + xs[2]) / 3,
    layers.Maximum: lambda xs: np.maximum(np.maximum(xs[0], xs[1]), xs[2]),
    layers.Minimum: lambda xs: np.minimum(np.minimum(xs[0], xs[1]), xs[2]),
}
FUNCTIONS = {layers.Add: layers.add, layers.Multiply: layers.multiply,
             layers.Average: layers.average, layers.Maximum: layers.maximum,
             layers.Minimum: layers.minimum}


@pytest.mark.parametrize("layer_cls", sorted(REFERENCES, key=str))
def test_merge_standard_checks_and_values(layer_cls):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((2, 4, 3)).astype("float32") for _ in range(3)]
    run_layer_test(layer_cls, {}, input_data=xs,
                   expected_output=REFERENCES[layer_cls](xs),
                   expected_num_trainable_weights=0, supports_masking=True,
                   stochastic=False)


@pytest.mark.parametrize("layer_cls", sorted(REFERENCES, key=str))
def test_merge_functional_form_builds_graph(layer_cls):
    a, b, c = (keras.Input(shape=(4,)) for _ in range(3))
    out = FUNCTIONS[layer_cls]([a, b, c])
    assert isinstance(out._keras_history.layer, layer_cls)
    model = keras.Model([a, b, c], out)
    xs = [np.random.randn(2, 4).astype("float32") for _ in range(3)]
    np.testing.assert_allclose(
        model([torch.from_numpy(x) for x in xs]).detach().numpy(),
        REFERENCES[layer_cls](xs), rtol=1e-6)


def test_subtract_values_and_functional_form():
    a, b = torch.tensor([[5.0, 1.0]]), torch.tensor([[2.0, 4.0]])
    np.testing.assert_array_equal(layers.Subtract()([a, b]).numpy(),
                                  [[3.0, -3.0]])
    x1, x2 = keras.Input(shape=(2,)), keras.Input(shape=(2,))
    model = keras.Model([x1, x2], layers.subtract([x1, x2]))
    np.testing.assert_array_equal(model([a, b]).numpy(), [[3.0, -3.0]])


def test_subtract_standard_checks():
    run_layer_test(layers.Subtract, {}, input_shape=[(2, 3), (2, 3)],
                   expected_output_shape=(2, 3), stochastic=False)


def test_subtract_needs_two_inputs():
    inputs = [keras.Input(shape=(2,)) for _ in range(3)]
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        layers.Subtract()(inputs)


def test_add_broadcasts_like_keras():
    # (batch, 3) and (batch, 4, 3): the lower-rank input gains axis 1.
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(4, 3))
    out = layers.Add()([a, b])
    assert out.shape == (None, 4, 3)
    x, y = torch.randn(2, 3), torch.randn(2, 4, 3)
    got = keras.Model([a, b], out)([x, y])
    np.testing.assert_allclose(got.numpy(), (x[:, None] + y).numpy())
    assert layers.Add()([keras.Input(shape=(1, 5)),
                         keras.Input(shape=(4, 1))]).shape == (None, 4, 5)


def test_add_incompatible_shapes_raises_at_graph_construction():
    a, b = keras.Input(shape=(3,)), keras.Input(shape=(4,))
    with pytest.raises(ValueError, match=r"'my_add'.*Inputs have "
                       r"incompatible shapes. Received shapes \(3,\) and "
                       r"\(4,\)"):
        layers.Add(name="my_add")([a, b])


def test_merge_different_batch_sizes_raise():
    a = keras.Input(batch_shape=(2, 3))
    b = keras.Input(batch_shape=(5, 3))
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Multiply()([a, b])


def test_merge_requires_a_list():
    with pytest.raises(ValueError, match="list of"):
        layers.Add()(keras.Input(shape=(3,)))


def _masked(x, mask):
    x = x.clone()
    x._keras_mask = mask
    return x


def test_merge_output_mask_is_or_of_masks():
    x = torch.ones(2, 3, 4)
    m1 = torch.tensor([[True, False, False], [True, True, False]])
    m2 = torch.tensor([[False, False, True], [True, False, False]])
    out = layers.Add()([_masked(x, m1), _masked(x, m2)])
    assert torch.equal(out._keras_mask, m1 | m2)
    out = layers.Add()([_masked(x, m1), x])
    assert getattr(out, "_keras_mask", None) is None


def test_maximum_ignores_masked_positions():
    a = torch.tensor([[[5.0], [1.0]]])
    b = torch.tensor([[[2.0], [3.0]]])
    ma = torch.tensor([[False, True]])
    mb = torch.tensor([[True, True]])
    out = layers.Maximum()([_masked(a, ma), _masked(b, mb)])
    # Step 0: a is masked, so b's value wins even though a is larger.
    np.testing.assert_array_equal(out.numpy(), [[[2.0], [3.0]]])
    out = layers.Minimum()([_masked(a, mb), _masked(b, torch.tensor(
        [[True, False]]))])
    np.testing.assert_array_equal(out.numpy(), [[[2.0], [1.0]]])


def test_multiply_masked_positions():
    a = torch.tensor([[[2.0], [3.0], [4.0]]])
    b = torch.tensor([[[5.0], [6.0], [7.0]]])
    ma = torch.tensor([[True, False, False]])
    mb = torch.tensor([[True, True, False]])
    out = layers.Multiply()([_masked(a, ma), _masked(b, mb)])
    # Keras: a masked factor counts as 1; all-masked positions give 0.
    np.testing.assert_array_equal(out.numpy(), [[[10.0], [6.0], [0.0]]])
    assert torch.equal(out._keras_mask, ma | mb)
