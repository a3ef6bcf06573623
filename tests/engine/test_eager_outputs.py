"""Eager outputs read as NumPy, as tf.keras eager tensors do.

``model(x).numpy()`` and ``np.asarray(layer(x))`` work outside a training
step (``backend/eager_tensor.py``), while everything a torch loop sees is
unchanged: the same autograd graph and gradients (checked against plain
torch), plain tensors from ops and from nested calls, plain tensors inside
the engine's steps, the same ``fit`` history (checked against a
hand-computed SGD step), ``torch.compile``, DDP, pickling.
"""

import copy
import doctest
import io
import pickle

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import torchkeras as keras
from torchkeras import layers
from torchkeras.backend import eager_tensor
from torchkeras.backend.eager_tensor import EagerTensor


def _x(n=6, features=4, seed=0):
    return np.random.default_rng(seed).standard_normal(
        (n, features)).astype("float32")


def _mlp(activation=None):
    inputs = keras.Input(shape=(4,))
    hidden = layers.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = layers.Dense(3, activation=activation, name="head")(hidden)
    return keras.Model(inputs, outputs)


def _numpy_mlp(model, x, softmax=False):
    (k1, b1), (k2, b2) = (model.get_layer(n).get_weights()
                          for n in ("hidden", "head"))
    logits = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    if not softmax:
        return logits
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _torch_mlp(model):
    """The same network as plain torch modules (Keras kernel is (in, out))."""
    (k1, b1), (k2, b2) = (model.get_layer(n).get_weights()
                          for n in ("hidden", "head"))
    first, second = torch.nn.Linear(4, 5), torch.nn.Linear(5, 3)
    with torch.no_grad():
        for lin, k, b in ((first, k1, b1), (second, k2, b2)):
            lin.weight.copy_(torch.from_numpy(k.T))
            lin.bias.copy_(torch.from_numpy(b))
    return torch.nn.Sequential(first, torch.nn.ReLU(), second)


@pytest.mark.parametrize("as_tensor", [False, True])
def test_model_output_numpy_and_asarray_are_the_detached_values(as_tensor):
    model = _mlp(activation="softmax")
    x = _x()
    out = model(torch.from_numpy(x) if as_tensor else x)
    assert isinstance(out, torch.Tensor) and out.requires_grad
    expected = _numpy_mlp(model, x, softmax=True)
    for value in (out.numpy(), np.asarray(out), np.array(out),
                  keras.backend.eval(out), keras.backend.get_value(out)):
        assert isinstance(value, np.ndarray) and value.dtype == np.float32
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-6)
    assert np.asarray(out, dtype="float64").dtype == np.float64
    assert np.array(out, copy=True) is not np.asarray(out)
    assert f"{out[0, 0]:.4f}" == f"{expected[0, 0]:.4f}"


def test_single_layer_sequential_and_subclassed_outputs_read_as_numpy():
    x = _x()
    dense = layers.Dense(3)
    kernel_out = dense(x).numpy()
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(kernel_out, x @ kernel + bias, rtol=1e-5,
                               atol=1e-6)

    seq = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    k, b = seq.get_weights()
    np.testing.assert_allclose(seq(x).numpy(), x @ k + b, rtol=1e-5,
                               atol=1e-6)

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, inputs):
            return self.dense(inputs) * 2.0

    sub = Sub()
    out = sub(x)
    k, b = sub.dense.get_weights()
    np.testing.assert_allclose(out.numpy(), 2 * (x @ k + b), rtol=1e-5,
                               atol=1e-6)


def test_gradients_equal_a_plain_torch_computation():
    model = _mlp()
    reference = _torch_mlp(model)
    x = torch.from_numpy(_x())
    y = torch.from_numpy(_x(features=3, seed=1))

    out = model(x)
    assert out.grad_fn.name() == reference(x).grad_fn.name()  # no extra node
    loss = F.mse_loss(out, y)
    assert type(loss) is torch.Tensor
    loss.backward()
    ref_loss = F.mse_loss(reference(x), y)
    ref_loss.backward()
    assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-6)
    hidden, head = model.get_layer("hidden"), model.get_layer("head")
    pairs = [(hidden.kernel.grad, reference[0].weight.grad.T),
             (hidden.bias.grad, reference[0].bias.grad),
             (head.kernel.grad, reference[2].weight.grad.T),
             (head.bias.grad, reference[2].bias.grad)]
    for got, want in pairs:
        torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_a_torch_optimizer_loop_trains_as_the_plain_reference():
    model = _mlp()
    reference = _torch_mlp(model)
    x = torch.from_numpy(_x())
    y = torch.from_numpy(_x(features=3, seed=1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    ref_opt = torch.optim.SGD(reference.parameters(), lr=0.1)
    for _ in range(3):
        for net, o in ((model, opt), (reference, ref_opt)):
            o.zero_grad()
            F.mse_loss(net(x), y).backward()
            o.step()
    np.testing.assert_allclose(model(x).numpy(),
                               reference(x).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_a_loss_object_called_eagerly_reads_as_a_number():
    model = _mlp()
    x, y = _x(), _x(features=3, seed=1)
    loss = keras.losses.MeanSquaredError()(y, model(x))
    want = np.mean((_numpy_mlp(model, x) - y) ** 2)
    assert type(loss) is EagerTensor and loss.requires_grad
    assert float(loss) == pytest.approx(float(want), rel=1e-5)  # no warning
    np.testing.assert_allclose(loss.numpy(), want, rtol=1e-5)
    assert f"{loss:.5f}" == f"{want:.5f}"
    loss.backward()
    assert model.get_layer("head").bias.grad is not None


def test_torch_ops_on_outputs_and_nested_calls_give_plain_tensors():
    seen = []

    class Inner(layers.Layer):
        def call(self, inputs):
            seen.append(type(inputs))
            return inputs * 3.0

    class Outer(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)
            self.inner = Inner()

        def call(self, inputs):
            h = self.dense(inputs)
            seen.append(type(h))
            out = self.inner(h)
            seen.append(type(out))
            return out

    model = Outer()
    out = model(_x())
    assert seen == [torch.Tensor] * 3
    assert type(out) is EagerTensor
    for derived in (F.relu(out), out.sum(), out.detach(),
                    torch.cat([out, out]), out.reshape(-1)):
        assert type(derived) is torch.Tensor
    for derived in (out + 1, out * out, 2.0 - out, -out, out[0], out > 0):
        assert type(derived) is EagerTensor

    # An eager output fed to the next eager call: same numbers as plain.
    dense = layers.Dense(3)
    chained = dense(out)
    plain = dense(out.detach().clone().as_subclass(torch.Tensor))
    np.testing.assert_array_equal(chained.numpy(), plain.numpy())


def test_an_input_returned_as_output_keeps_its_class():
    class Identity(layers.Layer):
        def call(self, inputs):
            return inputs

    x = torch.ones(2, 3)
    assert Identity()(x) is x and type(x) is torch.Tensor
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, Identity()(inputs))
    assert type(model(x)) is torch.Tensor
    a, b = torch.ones(2, 3), torch.zeros(2, 3)
    picked = layers.Lambda(lambda xs: xs[0])([a, b])
    assert picked is a and type(a) is torch.Tensor


def test_list_and_dict_outputs_keep_their_structure():
    inputs = keras.Input(shape=(4,))
    first_layer, second_layer = layers.Dense(2), layers.Dense(3)
    first, second = first_layer(inputs), second_layer(inputs)
    x = _x()
    listed = keras.Model(inputs, [first, second])(x)
    named = keras.Model(inputs, {"a": first, "b": second})(x)
    assert type(listed) is list and type(named) is dict
    assert sorted(named) == ["a", "b"]
    pairs = ((listed[0], first_layer), (listed[1], second_layer),
             (named["a"], first_layer), (named["b"], second_layer))
    for out, layer in pairs:
        k, b = layer.get_weights()
        assert type(out) is EagerTensor and out.requires_grad
        np.testing.assert_allclose(out.numpy(), x @ k + b, rtol=1e-5,
                                   atol=1e-6)
    loss = sum(F.mse_loss(v, torch.zeros_like(v)) for v in listed)
    assert type(loss) is torch.Tensor
    loss.backward()
    k, b = first_layer.get_weights()
    want = 2 * x.T @ (x @ k + b) / (len(x) * 2)
    np.testing.assert_allclose(first_layer.kernel.grad.numpy(), want,
                               rtol=1e-5, atol=1e-6)


def test_softmax_output_keeps_its_logits():
    model = _mlp(activation="softmax")
    x = _x()
    out = model(x)
    np.testing.assert_allclose(out._keras_logits.detach().numpy(),
                               _numpy_mlp(model, x), rtol=1e-5, atol=1e-6)
    # The loss reads the logits, as for a plain output.
    labels = np.array([0, 1, 2, 0, 1, 2])
    loss = keras.losses.SparseCategoricalCrossentropy()(labels, out)
    logits = torch.from_numpy(_numpy_mlp(model, x))
    want = F.cross_entropy(logits, torch.from_numpy(labels))
    assert float(loss) == pytest.approx(float(want), rel=1e-5)


def test_pickle_save_deepcopy_and_repr_treat_it_as_a_plain_tensor():
    model = _mlp()
    x = _x()
    out = model(x)
    expected = out.detach().clone().as_subclass(torch.Tensor)

    buffer = io.BytesIO()
    torch.save({"out": out}, buffer)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=True)["out"]
    assert type(loaded) is torch.Tensor
    torch.testing.assert_close(loaded.detach(), expected)

    with torch.no_grad():
        leaf = model(x)
    assert type(leaf) is EagerTensor and not leaf.requires_grad
    for copied in (pickle.loads(pickle.dumps(leaf)), copy.deepcopy(leaf)):
        assert type(copied) is torch.Tensor
        torch.testing.assert_close(copied, expected)
    assert type(leaf) is EagerTensor  # printing/pickling left it as it was
    assert repr(out) == repr(out.as_subclass(torch.Tensor)).replace(
        "AliasBackward0", "AddmmBackward0")
    assert repr(out).startswith("tensor([[")


def test_engine_steps_see_plain_tensors():
    seen = []

    def loss(y_true, y_pred):
        seen.append(type(y_pred))
        return keras.losses.mean_squared_error(y_true, y_pred)

    class Recording(keras.Model):
        def predict_step(self, data):
            out = super().predict_step(data)
            seen.append(type(out))
            return out

    inputs = keras.Input(shape=(4,))
    model = Recording(inputs, layers.Dense(3)(inputs))
    model.compile(optimizer="sgd", loss=loss)
    x, y = _x(), _x(features=3, seed=1)
    model.fit(x, y, batch_size=3, epochs=1, verbose=0)
    model.evaluate(x, y, batch_size=3, verbose=0)
    model.train_on_batch(x, y)
    model.test_on_batch(x, y)
    predicted = model.predict(x, batch_size=3, verbose=0)
    assert seen == [torch.Tensor] * (len(seen)) and len(seen) == 8
    assert type(predicted) is np.ndarray
    assert type(model(x)) is EagerTensor  # and after the steps: eager again


def test_fit_history_matches_a_hand_computed_sgd_step():
    inputs = keras.Input(shape=(2,))
    model = keras.Model(inputs, layers.Dense(1)(inputs))
    kernel = np.array([[0.5], [-1.0]], "float32")
    bias = np.array([0.25], "float32")
    model.set_weights([kernel, bias])
    x = np.array([[1, 2], [3, -1], [0.5, 0], [-2, 1]], "float32")
    y = np.array([[1], [0], [2], [-1]], "float32")
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1),
                  loss="mse")
    history = model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
                        verbose=0)
    losses, k, b = [], kernel, bias
    for _ in range(2):  # mse gradient: 2/n * x^T err
        err = x @ k + b - y
        losses.append(np.mean(err ** 2))
        k, b = k - 0.1 * (2 / 4) * x.T @ err, b - 0.1 * (2 / 4) * err.sum(0)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-5)
    np.testing.assert_allclose(model(x).numpy(), x @ k + b, rtol=1e-5,
                               atol=1e-6)


def test_torch_compile_traces_through_and_gives_plain_outputs():
    model = _mlp()
    x = torch.from_numpy(_x())
    compiled = torch.compile(model, backend="aot_eager", fullgraph=True)
    out = compiled(x)
    assert type(out) is torch.Tensor
    np.testing.assert_allclose(out.detach().numpy(), model(x).numpy(),
                               rtol=1e-5, atol=1e-6)
    out.sum().backward()
    assert model.get_layer("head").kernel.grad is not None


def test_ddp_wrapped_model_output_reads_as_numpy(tmp_path):
    import torch.distributed as dist

    model = _mlp()
    reference = _torch_mlp(model)
    x = torch.from_numpy(_x())
    dist.init_process_group("gloo", init_method=f"file://{tmp_path}/pg",
                            rank=0, world_size=1)
    try:
        ddp = torch.nn.parallel.DistributedDataParallel(model)
        out = ddp(x)
        np.testing.assert_allclose(out.numpy(),
                                   reference(x).detach().numpy(),
                                   rtol=1e-5, atol=1e-6)
        out.sum().backward()
        reference(x).sum().backward()
        torch.testing.assert_close(model.get_layer("head").bias.grad,
                                   reference[2].bias.grad)
    finally:
        dist.destroy_process_group()


def test_mixed_precision_outputs_are_float32_and_read_as_numpy():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = _mlp()
    finally:
        keras.mixed_precision.set_global_policy(None)
    x = _x()
    out = model(x)
    assert out.dtype == torch.float32 and type(out) is EagerTensor
    np.testing.assert_allclose(out.numpy(), _numpy_mlp(model, x),
                               rtol=5e-2, atol=5e-2)
    # A single mixed layer computes in bfloat16, which NumPy lacks.
    dense = layers.Dense(3, dtype="mixed_bfloat16")
    half = dense(x)
    assert half.dtype == torch.bfloat16
    k, b = dense.get_weights()
    values = half.numpy()
    assert values.dtype == np.float32
    np.testing.assert_allclose(values, x @ k + b, rtol=5e-2, atol=5e-2)
    assert np.asarray(half).dtype == np.float32


@pytest.mark.cuda
def test_cuda_outputs_come_to_the_host():
    model = _mlp().to("cuda")
    x = _x()
    out = model(torch.from_numpy(x).cuda())
    assert out.is_cuda
    np.testing.assert_allclose(out.numpy(), _numpy_mlp(model, x),
                               rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np.asarray(out), out.numpy())


def test_docstring_example_runs():
    result = doctest.testmod(eager_tensor)
    assert result.attempted > 0 and result.failed == 0


def test_operators_and_indexing_keep_the_label_and_the_graph():
    model = _mlp(activation="softmax")
    x = _x()
    out = model(x)
    reference = _torch_mlp(model)
    plain = torch.softmax(reference(torch.from_numpy(x)), -1)
    np.testing.assert_allclose(out.numpy(), plain.detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    # Every operator result reads as NumPy though it requires grad.
    picked = out[0, 1]
    scaled = 2.0 * out - 1
    assert picked.requires_grad and scaled.requires_grad
    assert picked.numpy() == pytest.approx(plain[0, 1].item(), rel=1e-5)
    np.testing.assert_allclose(scaled.numpy(),
                               2 * plain.detach().numpy() - 1, rtol=1e-5)
    # ... and is still part of the autograd graph: the same gradients as
    # the plain torch network for the same expression.
    (-(out[0, 1] ** 2) + abs(out[1, 0])).backward()
    (-(plain[0, 1] ** 2) + abs(plain[1, 0])).backward()
    np.testing.assert_allclose(
        model.get_layer("head").kernel.grad.numpy(),
        reference[2].weight.grad.numpy().T, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("array_dtype,tensor_dtype,expected", [
    ("float64", torch.float32, torch.float32),
    ("float32", torch.float32, torch.float32),
    ("int64", torch.float32, torch.float32),
    ("int64", torch.int32, torch.int32),
    ("float32", torch.int32, torch.float32),
])
def test_numpy_arrays_on_either_side_of_an_operator(array_dtype,
                                                     tensor_dtype, expected):
    values = np.array([[1, 2], [3, 4]], dtype=array_dtype)
    tensor = keras.ops.convert_to_tensor(np.array([[5, 6], [7, 8]]),
                                         dtype=tensor_dtype)
    assert type(tensor) is EagerTensor
    for result, want in (
            (values + tensor, values + tensor.numpy()),
            (tensor + values, values + tensor.numpy()),
            (values * tensor, values * tensor.numpy()),
            (values - tensor, values - tensor.numpy()),
            (tensor - values, tensor.numpy() - values),
            (values < tensor, values < tensor.numpy())):
        assert type(result) is EagerTensor
        if result.dtype is not torch.bool:
            assert result.dtype is expected, (result.dtype, expected)
        np.testing.assert_array_equal(result.numpy(), want)
    if tensor_dtype is torch.float32 or array_dtype == "int64":
        product = values @ tensor
        assert product.dtype is expected
        np.testing.assert_array_equal(product.numpy(),
                                      values @ tensor.numpy())
    # NumPy scalars behave as Python numbers (TF's weak scalars).
    assert (np.float64(0.5) * tensor).dtype is torch.float32


def test_numpy_functions_read_outputs_as_detached_arrays():
    keras.utils.set_random_seed(3)
    model = _mlp(activation="softmax")
    probs = model(_x(n=1))
    assert probs.requires_grad
    squeezed = np.squeeze(probs)
    assert isinstance(squeezed, np.ndarray) and squeezed.shape == (3,)
    np.testing.assert_allclose(squeezed, probs.numpy()[0])
    draws = np.random.default_rng(0).choice(3, size=4000, p=squeezed)
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 4000,
                               squeezed, atol=0.03)
    assert np.random.choice(3, p=np.squeeze(probs)) in (0, 1, 2)
    stacked = np.stack([probs, probs])
    assert isinstance(stacked, np.ndarray) and stacked.shape == (2, 1, 3)
    assert np.argmax(probs) == int(np.argmax(probs.numpy()))
    # The output itself is unchanged and still differentiable.
    assert probs.requires_grad and probs.grad_fn is not None


def test_ops_called_by_the_user_give_eager_tensors_but_not_inside_layers():
    seen = []

    class Probe(layers.Layer):
        def call(self, inputs):
            out = keras.ops.square(inputs)
            seen.append(type(out))
            return out

    x = np.ones((2, 3), "float32")
    assert type(keras.ops.square(x)) is EagerTensor
    assert type(keras.ops.mean(torch.ones(3))) is EagerTensor
    Probe()(x)
    assert seen == [torch.Tensor]
    # An op returning its argument leaves the caller's tensor alone.
    t = torch.ones(2)
    assert keras.ops.convert_to_tensor(t) is t and type(t) is torch.Tensor
