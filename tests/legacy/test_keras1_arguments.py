"""Keras 1 spellings that Keras 2.0-2.2 accepted with a warning.

Each legacy call must warn naming the Keras 2 call, build the same layer as
the Keras 2 spelling (same config) and compute the same numbers, checked
here against torch's own convolution or NumPy.
"""

import warnings

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras import layers
from torchkeras.regularizers import l2


def _config(layer):
    config = layer.get_config()
    config.pop("name")
    return config


def test_convolution2d_keras1_call_is_the_keras2_conv2d():
    with pytest.warns(UserWarning, match=r"Conv2D\(8, \(5, 5\), strides="):
        legacy = layers.Convolution2D(
            8, 5, 5, subsample=(1, 1), border_mode="same",
            init="he_normal", W_regularizer=l2(1e-4),
            b_regularizer=l2(1e-3), dim_ordering="tf")
    modern = layers.Conv2D(8, (5, 5), strides=(1, 1), padding="same",
                           kernel_initializer="he_normal",
                           kernel_regularizer=l2(1e-4),
                           bias_regularizer=l2(1e-3),
                           data_format="channels_last")
    assert type(legacy) is layers.Conv2D
    assert isinstance(legacy, layers.Convolution2D)
    assert keras.layers.serialize(legacy)["class_name"] == "Conv2D"
    assert _config(legacy) == _config(modern)
    x = np.random.rand(2, 12, 12, 3).astype("float32")
    legacy.build(x.shape)
    modern.build(x.shape)
    modern.set_weights(legacy.get_weights())
    out = legacy(x).detach().numpy()
    np.testing.assert_allclose(out, modern(x).detach().numpy(), rtol=1e-6)
    kernel, bias = legacy.get_weights()
    reference = torch.nn.functional.conv2d(
        torch.from_numpy(x).permute(0, 3, 1, 2),
        torch.from_numpy(kernel).permute(3, 2, 0, 1),
        torch.from_numpy(bias), padding=2).permute(0, 2, 3, 1).numpy()
    np.testing.assert_allclose(out, reference, rtol=1e-5, atol=1e-5)


def test_conv2d_positional_strides_stay_tf_keras2():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        conv = layers.Conv2D(8, 5, 2)
    assert conv.kernel_size == (5, 5) and conv.strides == (2, 2)


def test_conv2d_with_keras1_keywords_reads_keras1_positionals():
    with pytest.warns(UserWarning, match="padding="):
        conv = layers.Conv2D(8, 3, 2, border_mode="same")
    assert conv.kernel_size == (3, 2) and conv.strides == (1, 1)


def test_keras1_kernel_with_keras2_strides_is_refused():
    with pytest.raises(ValueError, match="strides"):
        layers.Convolution2D(8, 3, 3, padding="same")


def test_convolution2d_nb_row_nb_col_keywords():
    with pytest.warns(UserWarning, match="Conv2D"):
        conv = layers.Convolution2D(nb_filter=4, nb_row=3, nb_col=2)
    assert conv.filters == 4 and conv.kernel_size == (3, 2)


def test_convolution3d_keras1_positionals():
    with pytest.warns(UserWarning, match=r"Conv3D\(2, \(3, 3, 1\)"):
        conv = layers.Convolution3D(2, 3, 3, 1)
    assert type(conv) is layers.Conv3D and conv.kernel_size == (3, 3, 1)


def test_convolution1d_keras1_keywords_and_input_dim():
    with pytest.warns(UserWarning, match="Conv1D"):
        conv = layers.Convolution1D(nb_filter=4, filter_length=3,
                                    subsample_length=1, border_mode="same",
                                    input_dim=2, input_length=10)
    model = keras.Sequential([conv])
    assert model.input_shape == (None, 10, 2)
    assert conv.filters == 4 and conv.kernel_size == (3,)
    assert conv.padding == "same"


def test_dense_keras1_keywords():
    with pytest.warns(UserWarning,
                      match=r"Dense\(50, kernel_initializer="):
        legacy = layers.Dense(50, W_regularizer=l2(1e-4),
                              init="glorot_uniform", bias=False)
    modern = layers.Dense(50, kernel_regularizer=l2(1e-4),
                          kernel_initializer="glorot_uniform",
                          use_bias=False)
    assert _config(legacy) == _config(modern)
    with pytest.warns(UserWarning, match="units=3"):
        assert layers.Dense(output_dim=3).units == 3


def test_both_spellings_of_one_argument_are_refused():
    with pytest.raises(TypeError, match="Stick to the latter"):
        layers.Dense(units=3, output_dim=3)


def test_pooling_dropout_and_recurrent_keywords():
    with pytest.warns(UserWarning, match="MaxPooling2D"):
        pool = layers.MaxPooling2D((2, 2), border_mode="same",
                                   dim_ordering="th")
    assert pool.padding == "same" and pool.data_format == "channels_first"
    with pytest.warns(UserWarning, match=r"Dropout\(rate=0.3\)"):
        assert layers.Dropout(p=0.3).rate == 0.3
    with pytest.warns(UserWarning, match="MaxPooling1D"):
        pool1 = layers.MaxPooling1D(pool_length=3, stride=1)
    assert pool1.pool_size == (3,) and pool1.strides == (1,)
    with pytest.warns(UserWarning, match="LSTM"):
        lstm = layers.LSTM(output_dim=4, inner_activation="hard_sigmoid",
                           dropout_W=0.1, consume_less="gpu",
                           forget_bias_init="one")
    config = lstm.get_config()
    assert config["units"] == 4 and config["dropout"] == 0.1
    assert config["recurrent_activation"] == "hard_sigmoid"
    assert config["unit_forget_bias"] is True
    with pytest.warns(UserWarning, match="BatchNormalization"):
        bn = layers.BatchNormalization(mode=0, gamma_init="ones")
    assert bn.get_config()["gamma_initializer"]["class_name"] == "Ones"


def test_model_input_output_keywords():
    x = keras.Input((3,))
    y = layers.Dense(2)(x)
    with pytest.warns(UserWarning, match=r"Model\(inputs="):
        model = keras.Model(input=x, output=y)
    assert model.inputs == [x] and model.outputs == [y]


def test_fit_nb_epoch():
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    x = np.random.rand(8, 2).astype("float32")
    with pytest.warns(UserWarning, match="renamed `epochs`"):
        history = model.fit(x, x[:, :1], nb_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 3
    with pytest.raises(TypeError, match="nb_epochs"):
        model.fit(x, x[:, :1], nb_epochs=3, verbose=0)


def test_fit_generator_samples_per_epoch_counts_samples():
    model = keras.Sequential([layers.Dense(1, input_shape=(2,))])
    model.compile("sgd", "mse")
    drawn = []

    def batches(size, log):
        while True:
            x = np.random.rand(size, 2).astype("float32")
            log.append(size)
            yield x, x.sum(-1, keepdims=True)

    val_drawn = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit_generator(
            batches(8, drawn), samples_per_epoch=20, nb_epoch=2,
            validation_data=batches(5, val_drawn), nb_val_samples=10,
            verbose=0)
    messages = " ".join(str(w.message) for w in caught)
    assert "steps_per_epoch=3" in messages and "epochs=2" in messages
    assert "validation_steps=2" in messages
    assert len(history.history["loss"]) == 2
    # ceil(20 / 8) = 3 steps an epoch, the first batch read once for its
    # size and then trained on: 6 batches drawn in all.
    assert len(drawn) == 6
    # ceil(10 / 5) = 2 validation steps an epoch.
    assert len(val_drawn) == 4


def test_keras1_program_runs_end_to_end():
    # A two-output program as Keras 1 users wrote it (Keras 1 spellings:
    # Convolution2D(8, 5, 5, subsample=...), W_regularizer).
    image_input = keras.Input((16, 16, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        x = layers.Convolution2D(8, 5, 5, subsample=(1, 1))(image_input)
        x = layers.Activation("relu")(x)
        x = layers.Flatten()(x)
        x = layers.Dense(50, W_regularizer=l2(0.0001))(x)
        x = layers.Activation("relu")(x)
        output1 = layers.Dense(1, activation="linear", name="output1")(x)
        output2 = layers.Dense(1, activation="linear", name="output2")(x)
        model = keras.Model(input=image_input, output=[output1, output2])
    model.compile(optimizer="adam", loss={"output1": "mean_squared_error",
                                          "output2": "mean_squared_error"})
    rng = np.random.default_rng(0)

    def batch_generator(batch_size):
        while True:
            images = rng.random((batch_size, 16, 16, 1), dtype=np.float32)
            yield images, {"output1": images.mean((1, 2, 3))[:, None],
                           "output2": images.max((1, 2, 3))[:, None]}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit_generator(batch_generator(16),
                                      samples_per_epoch=160, nb_epoch=4,
                                      verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < losses[0] / 2
