"""A torchkeras model is a plain ``torch.nn.Module``: eager calls on NumPy,
dtype moves, ``state_dict``, ``parameters()``, torch optimizers and
``torch.compile``. References are NumPy re-computations and torch itself."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers


def rand(*shape):
    return np.random.RandomState(0).randn(*shape).astype("float32")


def mlp(name=None):
    x = keras.Input(shape=(3,))
    h = layers.Dense(4, activation="relu", name="hidden")(x)
    y = layers.Dense(2, name="out")(h)
    return keras.Model(x, y, name=name)


def np_mlp(weights, x):
    k1, b1, k2, b2 = weights
    return np.maximum(x @ k1 + b1, 0) @ k2 + b2


def test_is_torch_module_with_parameters():
    model = mlp()
    assert isinstance(model, torch.nn.Module)
    params = list(model.parameters())
    assert len(params) == 4
    assert {id(p) for p in params} == {id(w) for w in model.weights}
    names = [n for n, _ in model.named_parameters()]
    assert names == ["hidden.kernel", "hidden.bias", "out.kernel", "out.bias"]


def test_call_on_numpy_and_tensor():
    model = mlp()
    x = rand(5, 3)
    expected = np_mlp(model.get_weights(), x)
    out_np = model(x)
    out_t = model(torch.from_numpy(x))
    assert torch.is_tensor(out_np) and out_np.dtype == torch.float32
    np.testing.assert_allclose(out_np.detach().numpy(), expected, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_array_equal(out_np.detach().numpy(),
                                  out_t.detach().numpy())
    # float64 NumPy data is cast to the model's float32.
    out64 = model(x.astype("float64"))
    assert out64.dtype == torch.float32


def test_to_float64():
    model = mlp()
    x = rand(4, 3).astype("float64")
    weights = [w.astype("float64") for w in model.get_weights()]
    model.to(torch.float64)
    assert all(p.dtype == torch.float64 for p in model.parameters())
    assert model.get_layer("hidden").kernel.name == "hidden/kernel"
    out = model(x)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), np_mlp(weights, x),
                               rtol=1e-12)


def test_state_dict_round_trip():
    source = mlp()
    target = mlp(name="other")
    state = source.state_dict()
    assert list(state) == ["hidden.kernel", "hidden.bias", "out.kernel",
                           "out.bias"]
    assert tuple(state["hidden.kernel"].shape) == (3, 4)
    target.load_state_dict(state)
    for a, b in zip(source.get_weights(), target.get_weights()):
        np.testing.assert_array_equal(a, b)
    x = rand(3, 3)
    np.testing.assert_array_equal(source(x).detach().numpy(),
                                  target(x).detach().numpy())
    # Loaded weights keep their Keras names.
    assert target.weights[0].name == "hidden/kernel"


def test_torch_sgd_step_matches_manual_update():
    model = mlp()
    x = torch.from_numpy(rand(6, 3))
    before = model.get_weights()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loss = (model(x) ** 2).mean()
    loss.backward()
    grads = [p.grad.clone().numpy() for p in model.parameters()]
    optimizer.step()
    for w0, g, w1 in zip(before, grads, model.get_weights()):
        np.testing.assert_allclose(w1, w0 - 0.1 * g, rtol=1e-6, atol=1e-7)


def test_torch_compile_matches_eager():
    """Dynamo captures the whole plan as one graph (``fullgraph=True``).

    The ``aot_eager`` backend runs Dynamo and AOTAutograd, as inductor
    does, without inductor's C++ code generation, which takes 20-80 s on a
    2-core CPU (checked by hand: same outputs).
    """
    model = mlp()
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
    x = torch.from_numpy(rand(5, 3))
    expected = model(x)
    out = compiled(x)
    torch.testing.assert_close(out, expected)
    out.sum().backward()
    assert model.get_layer("out").kernel.grad is not None


def test_trainable_false_stops_gradients():
    model = mlp()
    model.get_layer("hidden").trainable = False
    assert [w.name for w in model.trainable_weights] == [
        "out/kernel", "out/bias"]
    assert [w.name for w in model.non_trainable_weights] == [
        "hidden/kernel", "hidden/bias"]
    frozen_before = model.get_layer("hidden").get_weights()
    head_before = model.get_layer("out").get_weights()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    x = torch.from_numpy(rand(8, 3))
    (model(x) ** 2).sum().backward()
    hidden = model.get_layer("hidden")
    assert hidden.kernel.grad is None and hidden.bias.grad is None
    assert model.get_layer("out").bias.grad is not None
    optimizer.step()
    for a, b in zip(frozen_before, hidden.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(head_before[1],
                              model.get_layer("out").get_weights()[1])


def test_model_trainable_false_freezes_everything():
    model = mlp()
    model.trainable = False
    assert model.trainable_weights == []
    assert len(model.non_trainable_weights) == 4
    assert all(not p.requires_grad for p in model.parameters())
    model.trainable = True
    assert len(model.trainable_weights) == 4


def test_module_modes_and_repr():
    model = mlp()
    assert model.training is False  # Keras: inference by default
    model.train()
    assert model.training and model.get_layer("out").training
    model.eval()
    assert not model.get_layer("out").training
    assert repr(model) == "<Functional name=model, built=True>"


@pytest.mark.parametrize("bad", [[1, 2], None])
def test_state_dict_strict_errors(bad):
    model = mlp()
    state = model.state_dict()
    if bad is None:
        state.pop("out.bias")
    else:
        state["out.bias"] = torch.zeros(bad)
    with pytest.raises(RuntimeError, match="out.bias"):
        model.load_state_dict(state)
