"""GradientTape against torch.autograd, and the tf.keras optimizer entry
points (``apply_gradients``, ``minimize``, ``get_gradients``) against
hand-computed updates and the built-in ``train_on_batch``."""

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.backend.gradient_tape import GradientTape


def _f(x, w):
    return torch.tanh(x @ w).pow(2).sum()


def test_top_level_export():
    assert keras.GradientTape is GradientTape


def test_first_order_matches_autograd_for_variables():
    w = keras.Variable(np.random.randn(3, 2), name="w")
    b = keras.Variable(np.zeros(2), name="b")
    x = torch.randn(4, 3)
    with GradientTape() as tape:
        loss = (torch.sigmoid(x @ w + b) ** 3).mean()
    gw, gb = tape.gradient(loss, [w, b])
    ref_w, ref_b = torch.autograd.grad(
        (torch.sigmoid(x @ w + b) ** 3).mean(), [w, b])
    torch.testing.assert_close(gw, ref_w)
    torch.testing.assert_close(gb, ref_b)
    assert not gw.requires_grad
    assert w.grad is None  # the tape does not accumulate into .grad


def test_nested_sources_keep_structure():
    a = keras.Variable(1.5, name="a")
    b = keras.Variable(np.array([1.0, 2.0]), name="b")
    c = keras.Variable(-2.0, name="c")
    with GradientTape() as tape:
        y = a * a * (b.sum()) + 3 * c
    grads = tape.gradient(y, {"x": [a, (b,)], "c": c})
    assert set(grads) == {"x", "c"}
    assert isinstance(grads["x"], list) and isinstance(grads["x"][1], tuple)
    torch.testing.assert_close(grads["x"][0], torch.tensor(2 * 1.5 * 3.0))
    torch.testing.assert_close(grads["x"][1][0],
                               torch.tensor([1.5 ** 2] * 2))
    torch.testing.assert_close(grads["c"], torch.tensor(3.0))


def test_non_scalar_target_and_output_gradients():
    x = torch.tensor([1.0, 2.0, 3.0])
    up = torch.tensor([0.5, -1.0, 2.0])
    with GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x ** 3
    (g_sum,) = tape.gradient(y, [x])
    torch.testing.assert_close(g_sum, 3 * x.detach() ** 2)
    g_up = tape.gradient(y, x, output_gradients=up)
    torch.testing.assert_close(g_up, 3 * x.detach() ** 2 * up)
    # Several targets: their gradients add, as TF's.
    g_two = tape.gradient([y, y.sum() * 2], x)
    torch.testing.assert_close(g_two, 9 * x.detach() ** 2)


def test_watch_makes_constant_differentiable():
    x = torch.tensor([[1.0, -2.0]])
    with GradientTape() as tape:
        tape.watch(x)
        y = (x ** 2).sum()
    torch.testing.assert_close(tape.gradient(y, x), 2 * x.detach())
    assert [v is x for v in tape.watched_variables()] == [True]


def test_unwatched_constant_and_unconnected_sources():
    x = torch.tensor([1.0, 2.0])  # never watched
    w = keras.Variable(2.0, name="w")
    unused = keras.Variable(np.ones(3), name="unused")
    with GradientTape(persistent=True) as tape:
        y = (w * x).sum()
    gx, gw, gu = tape.gradient(y, [x, w, unused])
    assert gx is None and gu is None
    torch.testing.assert_close(gw, torch.tensor(3.0))
    gx, gw, gu = tape.gradient(y, [x, w, unused],
                               unconnected_gradients="zero")
    torch.testing.assert_close(gx, torch.zeros(2))
    torch.testing.assert_close(gu, torch.zeros(3))
    with pytest.raises(ValueError, match="unconnected_gradients"):
        tape.gradient(y, w, unconnected_gradients="nan")


def test_integer_source_has_no_gradient():
    i = torch.tensor([1, 2])
    w = keras.Variable(1.0, name="w")
    with GradientTape() as tape:
        tape.watch(i)  # ignored, as TF ignores non-float watches
        y = w * i.float().sum()
    assert tape.gradient(y, [i, w])[0] is None


def test_watch_accessed_variables_false():
    w = keras.Variable(2.0, name="w")
    v = keras.Variable(3.0, name="v")
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(v)
        y = w * v
    gw, gv = tape.gradient(y, [w, v])
    assert gw is None
    torch.testing.assert_close(gv, torch.tensor(2.0))


def test_non_persistent_second_call_raises():
    w = keras.Variable(2.0, name="w")
    with GradientTape() as tape:
        y = w * w
    tape.gradient(y, w)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.gradient(y, w)


def test_persistent_allows_several_calls():
    w = keras.Variable(2.0, name="w")
    with GradientTape(persistent=True) as tape:
        y = w * w
        z = y * w
    torch.testing.assert_close(tape.gradient(y, w), torch.tensor(4.0))
    torch.testing.assert_close(tape.gradient(z, w), torch.tensor(12.0))
    torch.testing.assert_close(tape.gradient(z, w), torch.tensor(12.0))


def test_two_sibling_tapes_share_a_forward_graph():
    # The DCGAN tutorial: two non-persistent tapes over one forward pass.
    g = keras.Variable(np.random.randn(3, 3), name="g")
    d = keras.Variable(np.random.randn(3, 1), name="d")
    z = torch.randn(5, 3)
    with GradientTape() as g_tape, GradientTape() as d_tape:
        fake = torch.tanh(z @ g)
        out = fake @ d
        g_loss = -out.mean()
        d_loss = out.pow(2).mean()
    gg = g_tape.gradient(g_loss, g)
    gd = d_tape.gradient(d_loss, d)
    ref_g = torch.autograd.grad(-(torch.tanh(z @ g) @ d).mean(), g)[0]
    ref_d = torch.autograd.grad((torch.tanh(z @ g) @ d).pow(2).mean(), d)[0]
    torch.testing.assert_close(gg, ref_g)
    torch.testing.assert_close(gd, ref_d)


def test_gradient_penalty_second_order_matches_autograd():
    w = keras.Variable(np.random.randn(3, 4), name="w")
    x0 = torch.randn(5, 3)
    x = x0.clone()
    with GradientTape() as outer:
        with GradientTape() as inner:
            inner.watch(x)
            y = _f(x, w)
        gx = inner.gradient(y, x)
        assert gx.requires_grad  # the outer tape records the gradient
        penalty = (gx.pow(2).sum(dim=1).sqrt() - 1.0).pow(2).mean()
    gw = outer.gradient(penalty, w)

    xr = x0.clone().requires_grad_(True)
    wr = w.detach().clone().requires_grad_(True)
    (gxr,) = torch.autograd.grad(_f(xr, wr), xr, create_graph=True)
    ref = torch.autograd.grad(
        (gxr.pow(2).sum(dim=1).sqrt() - 1.0).pow(2).mean(), wr)[0]
    torch.testing.assert_close(gw, ref)


def test_nested_tapes_second_derivative_of_scalar():
    x = torch.tensor(1.7)
    with GradientTape() as t2:
        t2.watch(x)
        with GradientTape() as t1:
            t1.watch(x)
            y = torch.sin(x) * x ** 3
        dy = t1.gradient(y, x)
    d2y = t2.gradient(dy, x)
    xr = torch.tensor(1.7, requires_grad=True)
    (d1,) = torch.autograd.grad(torch.sin(xr) * xr ** 3, xr,
                                create_graph=True)
    (d2,) = torch.autograd.grad(d1, xr)
    torch.testing.assert_close(dy.detach(), d1.detach())
    torch.testing.assert_close(d2y, d2)


def test_gradient_outside_tapes_is_not_recorded():
    w = keras.Variable(2.0, name="w")
    with GradientTape() as tape:
        y = w ** 3
    g = tape.gradient(y, w)
    assert not g.requires_grad


def test_stop_recording():
    w = keras.Variable(2.0, name="w")
    with GradientTape() as tape:
        a = w * 3
        with tape.stop_recording():
            b = w * 5
        y = a + b
    assert not b.requires_grad
    torch.testing.assert_close(tape.gradient(y, w), torch.tensor(3.0))
    with pytest.raises(RuntimeError, match="recording"):
        with tape.stop_recording():
            pass


def test_reset_allows_new_gradient_and_forgets_watches():
    x = torch.tensor(2.0)
    w = keras.Variable(1.0, name="w")
    with GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x)
        tape.reset()
        tape.watch(w)
        y = x * w
    gx, gw = tape.gradient(y, [x, w])
    # reset() forgot x, as TF does: no gradient, and x no longer requires
    # grad in torch.
    assert gx is None and not x.requires_grad
    torch.testing.assert_close(gw, torch.tensor(2.0))
    assert tape.watched_variables() == (w,)


def test_watching_a_non_trainable_variable_leaves_it_non_trainable():
    layer = keras.layers.BatchNormalization()
    layer.build((None, 3))
    mean = layer.moving_mean
    assert not mean.requires_grad
    trainable_before = [id(w) for w in layer.trainable_weights]
    x = torch.randn(4, 3)
    with GradientTape() as tape:
        tape.watch(mean)
        y = ((x - mean) ** 2).sum()
    g = tape.gradient(y, mean)
    torch.testing.assert_close(g, (-2 * (x - mean.detach())).sum(0))
    assert not mean.requires_grad
    assert [id(w) for w in layer.trainable_weights] == trainable_before
    # A persistent tape keeps it differentiable until it is collected.
    constant = torch.tensor([1.0, 2.0])
    tape = GradientTape(persistent=True)
    with tape:
        tape.watch(constant)
        z = (constant ** 2).sum()
    tape.gradient(z, constant)
    assert constant.requires_grad
    torch.testing.assert_close(tape.gradient(z, constant),
                               2 * constant.detach())
    del tape
    assert not constant.requires_grad


def test_outside_a_tape_backward_still_works():
    layer = keras.layers.Dense(2)
    y = layer(torch.randn(3, 4)).sum()
    y.backward()
    assert layer.kernel.grad is not None


def test_jacobian_matches_torch_functional():
    w = keras.Variable(np.random.randn(3, 2), name="w")
    x = torch.randn(4, 3)

    def fn_w(wv):
        return torch.tanh(x @ wv)

    with GradientTape() as tape:
        y = fn_w(w)
    jac = tape.jacobian(y, w)
    ref = torch.autograd.functional.jacobian(fn_w, w.detach().clone())
    assert jac.shape == (4, 2, 3, 2)
    torch.testing.assert_close(jac, ref)


def test_jacobian_structure_and_unconnected():
    x = torch.tensor([1.0, 2.0])
    u = torch.tensor([3.0])
    with GradientTape(persistent=True) as tape:
        tape.watch([x, u])
        y = x ** 2
    jx, ju = tape.jacobian(y, [x, u])
    torch.testing.assert_close(jx, torch.diag(2 * x.detach()))
    assert ju is None
    ju = tape.jacobian(y, {"u": u}, unconnected_gradients="zero")["u"]
    torch.testing.assert_close(ju, torch.zeros(2, 1))


def test_batch_jacobian_matches_torch_functional():
    w = torch.randn(3, 4)
    x = torch.randn(5, 3)
    with GradientTape() as tape:
        tape.watch(x)
        y = torch.sin(x @ w)
    bj = tape.batch_jacobian(y, x)
    full = torch.autograd.functional.jacobian(
        lambda xv: torch.sin(xv @ w), x.detach().clone())  # (5,4,5,3)
    ref = torch.stack([full[i, :, i, :] for i in range(5)])
    assert bj.shape == (5, 4, 3)
    torch.testing.assert_close(bj, ref)
    with GradientTape() as tape:
        tape.watch(x)
        y = x[:3] * 2
    with pytest.raises(ValueError, match="batch"):
        tape.batch_jacobian(y, x)


# ---------------------------------------------------------------------------
# Optimizer entry points.


def test_apply_gradients_sgd_by_hand():
    w = keras.Variable(np.array([1.0, -2.0]), name="w")
    b = keras.Variable(0.5, name="b")
    opt = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    g1 = [torch.tensor([0.2, 0.4]), torch.tensor(1.0)]
    g2 = [torch.tensor([-0.1, 0.3]), torch.tensor(-2.0)]
    opt.apply_gradients(zip(g1, [w, b]))
    # Keras SGD: m = momentum * m - lr * g; w += m.
    m_w = -0.1 * g1[0]
    m_b = -0.1 * g1[1]
    torch.testing.assert_close(w.detach(), torch.tensor([1.0, -2.0]) + m_w)
    opt.apply_gradients(zip(g2, [w, b]))
    m_w = 0.9 * m_w - 0.1 * g2[0]
    m_b = 0.9 * m_b - 0.1 * g2[1]
    torch.testing.assert_close(
        w.detach(), torch.tensor([1.0, -2.0]) - 0.1 * g1[0] + m_w)
    torch.testing.assert_close(b.detach(), 0.5 - 0.1 * g1[1] + m_b)
    assert int(opt.iterations) == 2


def test_apply_gradients_skips_none_with_warning():
    w = keras.Variable(1.0, name="w")
    v = keras.Variable(5.0, name="lonely")
    opt = keras.optimizers.SGD(learning_rate=0.5)
    opt.build([w, v])
    with pytest.warns(UserWarning, match="lonely"):
        opt.apply_gradients([(torch.tensor(2.0), w), (None, v)])
    torch.testing.assert_close(w.detach(), torch.tensor(0.0))
    torch.testing.assert_close(v.detach(), torch.tensor(5.0))
    with pytest.raises(ValueError, match="No gradients"):
        opt.apply_gradients(zip([None, None], [w, v]))


def test_apply_gradients_ignores_stale_grad_of_other_variables():
    w = keras.Variable(1.0, name="w")
    v = keras.Variable(5.0, name="v")
    opt = keras.optimizers.SGD(learning_rate=0.5)
    opt.build([w, v])
    v.grad = torch.tensor(100.0)
    opt.apply_gradients(zip([torch.tensor(2.0)], [w]))
    torch.testing.assert_close(v.detach(), torch.tensor(5.0))
    torch.testing.assert_close(v.grad, torch.tensor(100.0))


def test_minimize_with_tape_and_with_callable():
    w = keras.Variable(np.array([3.0, -1.0]), name="w")
    opt = keras.optimizers.SGD(learning_rate=0.25)
    with GradientTape() as tape:
        loss = (w ** 2).sum()
    opt.minimize(loss, [w], tape=tape)
    torch.testing.assert_close(w.detach(), torch.tensor([1.5, -0.5]))
    opt.minimize(lambda: (w ** 2).sum(), lambda: [w])
    torch.testing.assert_close(w.detach(), torch.tensor([0.75, -0.25]))
    with pytest.raises(ValueError, match="tape"):
        opt.minimize((w ** 2).sum(), [w])


def test_get_gradients_legacy():
    w = keras.Variable(np.array([3.0, -1.0]), name="w")
    u = keras.Variable(1.0, name="u")
    opt = keras.optimizers.SGD(learning_rate=0.1, clipvalue=1.0)
    loss = (w ** 2).sum()
    (g,) = opt.get_gradients(loss, [w])
    torch.testing.assert_close(g, torch.tensor([1.0, -1.0]))  # clipped
    with pytest.raises(ValueError, match="u"):
        opt.get_gradients(loss, [w, u])


# ---------------------------------------------------------------------------
# A training loop written from scratch.


def _model():
    return keras.Sequential([
        keras.Input((4,)),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1),
    ])


def test_custom_loop_first_step_equals_train_on_batch():
    x = np.random.randn(16, 4).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32"))
    model = _model()
    twin = _model()
    twin.set_weights(model.get_weights())
    initial = model.get_weights()
    twin.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    twin.train_on_batch(x, y)

    loss_fn = keras.losses.MeanSquaredError()
    optimizer = keras.optimizers.Adam(1e-2)
    with GradientTape() as tape:
        loss = loss_fn(torch.as_tensor(y),
                       model(torch.as_tensor(x), training=True))
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    for ours, ref, before in zip(model.get_weights(), twin.get_weights(),
                                 initial):
        np.testing.assert_allclose(ours, ref, atol=1e-6, rtol=0)
        assert np.abs(ours - before).max() > 1e-4  # the step moved it


def test_custom_loop_loss_falls():
    x = np.random.randn(64, 4).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5], [3.0]], "float32"))
    dataset = keras.data.Dataset.from_tensor_slices((x, y)).batch(16)
    model = _model()
    loss_fn = keras.losses.MeanSquaredError()
    optimizer = keras.optimizers.Adam(1e-2)
    metric = keras.metrics.Mean()
    epoch_losses = []
    for _ in range(20):
        metric.reset_state()
        for xb, yb in dataset:
            with GradientTape() as tape:
                loss = loss_fn(yb, model(xb, training=True))
            grads = tape.gradient(loss, model.trainable_weights)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
            metric.update_state(loss)
        epoch_losses.append(float(metric.result()))
    assert epoch_losses[-1] < 0.2 * epoch_losses[0]

