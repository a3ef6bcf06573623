"""``tf.train.Checkpoint`` of many named objects (DCGAN-style programs).

References: the saving objects' own weights, optimizer slots and step, and
the numbers the original objects give for one more training step; a
restore that fails must leave every weight and slot as it was.
"""

import doctest
import json

import numpy as np
import pytest
import torch

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras.compat.tf import train as train_module
from torchkeras.saving import checkpoint as native_checkpoint
from torchkeras.saving import object_checkpoint
from torchkeras.saving import safetensors_io
from torchkeras.saving.errors import FileFormatError
from torchkeras.saving.errors import WeightMismatchError

L = keras.layers
NOISE = np.random.RandomState(0).normal(size=(4, 6)).astype("float32")
REAL = np.random.RandomState(1).normal(size=(4, 4, 4, 1)).astype("float32")
BCE = keras.losses.BinaryCrossentropy(from_logits=True)


def _generator(units=16):
    return keras.Sequential([
        L.Dense(units, use_bias=False, input_shape=(6,)),
        L.BatchNormalization(), L.LeakyReLU(), L.Dense(16),
        L.Reshape((4, 4, 1))])


def _discriminator():
    return keras.Sequential([
        L.Conv2D(2, 3, padding="same", input_shape=(4, 4, 1)),
        L.LeakyReLU(), L.Flatten(), L.Dense(1)])


def _gan(units=16):
    """Fresh objects, built the way the DCGAN tutorial builds them."""
    return dict(generator=_generator(units),
                discriminator=_discriminator(),
                generator_optimizer=keras.optimizers.Adam(1e-2),
                discriminator_optimizer=keras.optimizers.Adam(2e-2))


def _train_step(generator, discriminator, generator_optimizer,
                discriminator_optimizer):
    with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
        fake = generator(NOISE, training=True)
        real_out = discriminator(REAL, training=True)
        fake_out = discriminator(fake, training=True)
        gen_loss = BCE(tf.ones_like(fake_out), fake_out)
        disc_loss = (BCE(tf.ones_like(real_out), real_out)
                     + BCE(tf.zeros_like(fake_out), fake_out))
    for tape, loss, model, opt in (
            (gen_tape, gen_loss, generator, generator_optimizer),
            (disc_tape, disc_loss, discriminator, discriminator_optimizer)):
        variables = model.trainable_variables
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables))


def _trained_gan(steps=3, units=16):
    objects = _gan(units)
    for _ in range(steps):
        _train_step(**objects)
    return objects


def _checkpoint(objects, step=1):
    return tf.train.Checkpoint(step=tf.Variable(step), **objects)


def _snapshot(ckpt):
    """Every value a checkpoint's objects hold, as NumPy copies."""
    out = {}
    for name, obj in ckpt._flat_objects().items():
        if isinstance(obj, keras.layers.Layer):
            values = obj.get_weights()
        elif isinstance(obj, torch.optim.Optimizer) and hasattr(
                obj, "export_keras_variables"):
            values = [v.detach().numpy() for v in obj.variables]
        elif isinstance(obj, torch.optim.Optimizer):
            values = [t.detach().numpy() for s in obj.state.values()
                      for t in s.values() if torch.is_tensor(t)]
        else:
            values = [obj.detach().numpy()]
        out[name] = [np.array(v, copy=True) for v in values]
    return out


def _assert_same(a, b):
    assert sorted(a) == sorted(b)
    for name in a:
        assert len(a[name]) == len(b[name]), name
        for x, y in zip(a[name], b[name]):
            np.testing.assert_array_equal(x, y, err_msg=name)


def test_gan_checkpoint_restores_into_fresh_objects(tmp_path):
    objects = _trained_gan()
    ckpt = _checkpoint(objects)
    ckpt.step.assign_add(4)
    path = ckpt.save(str(tmp_path / "ckpt"))
    saved = _snapshot(ckpt)
    assert int(ckpt.step) == 5 and len(saved["generator_optimizer"]) > 2

    fresh = _gan()
    assert not fresh["generator_optimizer"].built
    ckpt2 = _checkpoint(fresh)
    status = ckpt2.restore(tf.train.latest_checkpoint(str(tmp_path)))
    status.assert_consumed().assert_existing_objects_matched()
    status.assert_nontrivial_match()
    _assert_same(saved, _snapshot(ckpt2))
    assert int(ckpt2.save_counter) == 1

    _train_step(**objects)
    _train_step(**fresh)
    _assert_same(_snapshot(ckpt), _snapshot(ckpt2))
    assert path.endswith("ckpt-1")


def test_file_keeps_keras_layouts_and_object_kinds(tmp_path):
    objects = _trained_gan(steps=1)
    prefix = _checkpoint(objects).write(str(tmp_path / "w"))
    assert not (tmp_path / "checkpoint").exists()  # write() keeps state
    index = json.loads((tmp_path / "w.index").read_text())
    assert index["format"] == object_checkpoint.FORMAT
    tensors, meta = safetensors_io.read(prefix + ".data-00000-of-00001")
    kinds = {k: v["kind"] for k, v in json.loads(meta["objects"]).items()}
    assert kinds == {"step": "variable", "generator": "model",
                     "discriminator": "model",
                     "generator_optimizer": "keras_optimizer",
                     "discriminator_optimizer": "keras_optimizer"}
    kernel = objects["generator"].get_weights()[0]
    assert kernel.shape == (6, 16)  # Keras layout (in, out)
    np.testing.assert_array_equal(
        tensors["generator/layers/dense/kernel"], kernel)
    # The optimizers' variables in Keras 3's order (iteration, learning
    # rate, m/v per weight), slots as the optimizer holds them.
    for name in ("generator_optimizer", "discriminator_optimizer"):
        variables = objects[name].variables
        assert len(variables) == 2 + 2 * len(
            objects[name.split("_")[0]].trainable_variables)
        for i, v in enumerate(variables):
            np.testing.assert_array_equal(tensors[f"{name}/{i}"],
                                          v.detach().numpy())
    assert f"{name}/{len(variables)}" not in tensors
    np.testing.assert_array_equal(tensors["step"], np.int32(1))


def test_manager_keeps_max_to_keep_and_restores_latest(tmp_path):
    objects = _trained_gan(steps=1)
    ckpt = _checkpoint(objects)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=3)
    assert ckpt.restore(manager.latest_checkpoint) is None
    paths = []
    for _ in range(5):
        _train_step(**objects)
        ckpt.step.assign_add(1)
        paths.append(manager.save())
    assert manager.checkpoints == paths[2:]
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["checkpoint"] + [
        f"ckpt-{i}{s}" for i in (3, 4, 5)
        for s in (".index", ".data-00000-of-00001")])
    saved = _snapshot(ckpt)

    fresh = _checkpoint(_gan())
    again = tf.train.CheckpointManager(fresh, str(tmp_path), max_to_keep=3)
    assert again.checkpoints == paths[2:]
    fresh.restore(again.latest_checkpoint).assert_consumed()
    _assert_same(saved, _snapshot(fresh))
    assert int(fresh.step) == 6 and int(fresh.save_counter) == 5
    assert again.save().endswith("ckpt-6")


def test_failing_restore_changes_nothing(tmp_path):
    """Dense(16) saved, Dense(12) restored: every object stays as it was,
    also the discriminator, which alone would fit."""
    prefix = _checkpoint(_trained_gan()).save(str(tmp_path / "ckpt"))
    target = _trained_gan(steps=2, units=12)
    ckpt = _checkpoint(target, step=7)
    before = _snapshot(ckpt)
    with pytest.raises(WeightMismatchError, match="generator_optimizer"):
        ckpt.restore(prefix)
    _assert_same(before, _snapshot(ckpt))
    assert int(ckpt.save_counter) == 0

    # No optimizer that would notice: the models' shape check fails first
    # (the discriminator and the step would have fit).
    ckpt = tf.train.Checkpoint(
        step=tf.Variable(7), discriminator=target["discriminator"],
        generator=target["generator"])
    before = _snapshot(ckpt)
    with pytest.raises(WeightMismatchError, match=r"\(6, 16\)"):
        ckpt.restore(prefix)
    _assert_same(before, _snapshot(ckpt))

    # Fresh, unbuilt optimizers stay unbuilt, also the one checked first.
    fresh = _gan(units=12)
    ckpt = _checkpoint({k: fresh[k] for k in (
        "discriminator_optimizer", "discriminator", "generator",
        "generator_optimizer")})
    with pytest.raises(WeightMismatchError):
        ckpt.restore(prefix)
    assert not fresh["generator_optimizer"].built
    assert not fresh["discriminator_optimizer"].built


def test_variable_dtype_mismatch_is_checked_before_models_change(tmp_path):
    objects = _trained_gan(steps=1)
    prefix = _checkpoint(objects).save(str(tmp_path / "ckpt"))
    target = _trained_gan(steps=2)
    ckpt = tf.train.Checkpoint(**target, step=tf.Variable(1.0))
    before = _snapshot(ckpt)
    with pytest.raises(WeightMismatchError, match="variable 'step'.*int32"):
        ckpt.restore(prefix)
    _assert_same(before, _snapshot(ckpt))
    ckpt = tf.train.Checkpoint(**target, step=tf.Variable([1, 2]))
    with pytest.raises(WeightMismatchError, match=r"shape \(2,\)"):
        ckpt.restore(prefix)
    after = _snapshot(ckpt)
    np.testing.assert_array_equal(after.pop("step")[0], [1, 2])
    before.pop("step")
    _assert_same(before, after)


@pytest.mark.parametrize("value, kind", [
    (1, "int"), ("x", "str"), (None, "NoneType"),
    (torch.nn.Linear(2, 2), "Linear"), ([tf.Variable(1)], "list"),
])
def test_untrackable_objects_are_refused(value, kind):
    with pytest.raises(ValueError, match=f"'thing'.*type {kind}"):
        tf.train.Checkpoint(step=tf.Variable(1), thing=value)


def test_save_counter_is_the_checkpoints_own():
    with pytest.raises(ValueError, match="save_counter"):
        tf.train.Checkpoint(save_counter=tf.Variable(1))


def test_torch_optimizer_round_trip(tmp_path):
    def make():
        model = keras.Sequential([L.Dense(3, input_shape=(2,)), L.Dense(1)])
        return model, torch.optim.Adam(model.parameters(), lr=0.05)

    x = torch.tensor(NOISE[:, :2])

    def step(model, opt):
        opt.zero_grad()
        model(x).square().mean().backward()
        opt.step()

    model, opt = make()
    for _ in range(3):
        step(model, opt)
    ckpt = tf.train.Checkpoint(model=model, optimizer=opt)
    prefix = ckpt.save(str(tmp_path / "ckpt"))
    model2, opt2 = make()
    ckpt2 = tf.train.Checkpoint(model=model2, optimizer=opt2)
    ckpt2.restore(prefix).assert_consumed()
    _assert_same(_snapshot(ckpt), _snapshot(ckpt2))
    step(model, opt)
    step(model2, opt2)
    _assert_same(_snapshot(ckpt), _snapshot(ckpt2))

    sgd = torch.optim.SGD(make()[0].parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(WeightMismatchError, match="Adam"):
        tf.train.Checkpoint(model=make()[0], optimizer=sgd).restore(prefix)


class _Net(keras.Model):
    """The TF checkpoint guide's model: built by its first call."""

    def __init__(self):
        super().__init__()
        self.l1 = L.Dense(5)

    def call(self, x):
        return self.l1(x)


def _guide_step(net, opt):
    x = NOISE[:, :3]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.abs(net(x) - 1.0))
    variables = net.trainable_variables
    opt.apply_gradients(zip(tape.gradient(loss, variables), variables))


def test_unbuilt_model_and_optimizer_restore_at_first_call(tmp_path):
    net, opt = _Net(), keras.optimizers.Adam(0.1)
    ckpt = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=3)
    for _ in range(3):
        _guide_step(net, opt)
        ckpt.step.assign_add(1)
    manager.save()
    saved = _snapshot(ckpt)

    net2, opt2 = _Net(), keras.optimizers.Adam(0.1)
    ckpt2 = tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt2,
                                net=net2)
    status = ckpt2.restore(manager.latest_checkpoint)
    assert int(ckpt2.step) == 4
    status.assert_existing_objects_matched().assert_nontrivial_match()
    with pytest.raises(AssertionError, match="first call"):
        status.assert_consumed()
    net2(NOISE[:, :3])  # builds net2, then restores it and the optimizer
    assert opt2.built
    status.assert_consumed()
    _assert_same(saved, _snapshot(ckpt2))
    _guide_step(net, opt)
    _guide_step(net2, opt2)
    _assert_same(_snapshot(ckpt), _snapshot(ckpt2))


def test_status_assertions_report_what_did_not_match(tmp_path):
    objects = _trained_gan(steps=1)
    prefix = _checkpoint(objects).save(str(tmp_path / "ckpt"))
    part = tf.train.Checkpoint(generator=_generator())
    status = part.restore(prefix)
    np.testing.assert_array_equal(part.generator.get_weights()[0],
                                  objects["generator"].get_weights()[0])
    status.assert_existing_objects_matched().assert_nontrivial_match()
    assert status.expect_partial() is status
    with pytest.raises(AssertionError, match="discriminator/layers/dense"):
        status.assert_consumed()

    more = tf.train.Checkpoint(generator=_generator(), extra=_generator())
    status = more.restore(prefix)
    with pytest.raises(AssertionError, match="extra/layers/dense/kernel"):
        status.assert_existing_objects_matched()

    status = tf.train.Checkpoint(other=tf.Variable(1)).restore(prefix)
    with pytest.raises(AssertionError, match="Nothing in checkpoint"):
        status.assert_nontrivial_match()


def test_kind_and_structure_mismatches_name_the_object(tmp_path):
    prefix = _checkpoint(_trained_gan(steps=1)).save(str(tmp_path / "c"))
    with pytest.raises(WeightMismatchError,
                       match="'generator' is a variable.*holds a model"):
        tf.train.Checkpoint(generator=tf.Variable(1)).restore(prefix)
    other = _Net()
    other(NOISE[:, :3])
    with pytest.raises(WeightMismatchError, match="none of the 7 values"):
        tf.train.Checkpoint(generator=other).restore(prefix)
    # A fresh optimizer whose model the Checkpoint does not hold.
    with pytest.raises(WeightMismatchError,
                       match="optimizer 'generator_optimizer'.*'generator'"):
        tf.train.Checkpoint(
            generator_optimizer=keras.optimizers.Adam()).restore(prefix)


def test_nested_checkpoints_and_late_attributes(tmp_path):
    objects = _trained_gan(steps=1)
    ckpt = tf.train.Checkpoint(
        models=tf.train.Checkpoint(generator=objects["generator"]))
    ckpt.step = tf.Variable(3)
    ckpt.note = "not tracked"
    prefix = ckpt.write(str(tmp_path / "nested"))
    fresh = tf.train.Checkpoint(
        models=tf.train.Checkpoint(generator=_generator()))
    fresh.step = tf.Variable(0)
    fresh.restore(prefix).assert_consumed()
    assert int(fresh.step) == 3
    _assert_same(_snapshot(ckpt), _snapshot(fresh))
    loop = tf.train.Checkpoint()
    loop.inner = tf.train.Checkpoint(outer=loop)
    with pytest.raises(ValueError, match="contains itself"):
        loop.write(str(tmp_path / "loop"))


def test_single_model_checkpoint_of_earlier_versions_restores(tmp_path):
    model = keras.Sequential([L.Dense(2, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse")
    model.fit(NOISE[:, :3], np.ones((4, 2)), epochs=2, verbose=0)
    prefix = str(tmp_path / "old")
    native_checkpoint.save(model, prefix)
    fresh = keras.Sequential([L.Dense(2, input_shape=(3,))])
    opt = keras.optimizers.Adam()
    opt.build(fresh.trainable_variables)
    ckpt = tf.train.Checkpoint(model=fresh, optimizer=opt)
    ckpt.restore(prefix).assert_consumed()
    for a, b in zip(model.get_weights(), fresh.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.optimizer.variables, opt.variables):
        np.testing.assert_array_equal(a.detach().numpy(),
                                      b.detach().numpy())
    with pytest.raises(ValueError, match="exactly one model"):
        tf.train.Checkpoint(a=fresh, b=_generator()).restore(prefix)


def test_foreign_files_are_reported(tmp_path):
    (tmp_path / "bad.index").write_bytes(b"\x00\x01binary")
    with pytest.raises(FileFormatError, match="TensorFlow"):
        tf.train.Checkpoint(v=tf.Variable(1)).restore(str(tmp_path / "bad"))
    with pytest.raises(FileFormatError, match="missing"):
        tf.train.Checkpoint(v=tf.Variable(1)).restore(str(tmp_path / "no"))


def test_docstring_examples():
    result = doctest.testmod(train_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_optimizer_saved_before_its_first_step(tmp_path):
    """An unbuilt optimizer saves its step count and learning rate."""
    opt = keras.optimizers.Adam(learning_rate=0.25)
    opt.iterations = 3
    prefix = tf.train.Checkpoint(optimizer=opt).write(str(tmp_path / "o"))
    fresh = keras.optimizers.Adam(learning_rate=0.5)
    tf.train.Checkpoint(optimizer=fresh).restore(prefix).assert_consumed()
    assert int(fresh.iterations) == 3 and float(fresh.learning_rate) == 0.25
    assert not fresh.built
    built = keras.optimizers.Adam(learning_rate=0.5)
    model = _trained_gan(steps=0)["generator"]
    built.build(model.trainable_variables)
    slots = [v.detach().numpy().copy() for v in built.variables[2:]]
    tf.train.Checkpoint(optimizer=built).restore(prefix)
    assert int(built.iterations) == 3
    _assert_same({"s": slots},
                 {"s": [v.detach().numpy() for v in built.variables[2:]]})


def test_tensors_restore_in_place_and_root_is_kept(tmp_path):
    model = _generator()
    param = torch.nn.Parameter(torch.arange(4.0))
    ckpt = tf.train.Checkpoint(model, table=torch.arange(6).reshape(2, 3),
                               param=param)
    prefix = ckpt.write(str(tmp_path / "t"))
    fresh_param = torch.nn.Parameter(torch.zeros(4))
    fresh = tf.train.Checkpoint(_generator(), table=torch.zeros(2, 3,
                                                                dtype=int),
                                param=fresh_param)
    table = fresh.table
    fresh.restore(prefix).assert_consumed()
    assert fresh.param is fresh_param and fresh.table is table
    assert fresh_param.requires_grad
    np.testing.assert_array_equal(table.numpy(), np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(fresh_param.detach().numpy(), np.arange(4))
    _assert_same(_snapshot(ckpt), _snapshot(fresh))
    assert sorted(fresh._flat_objects()) == ["param", "root", "table"]
