"""Timeseries forecasting with an LSTM, in the weather-forecasting style.

The style of the keras.io "timeseries forecasting for weather prediction"
example: a multivariate series is normalized with the training split's
mean and standard deviation, `keras.utils.timeseries_dataset_from_array`
cuts it into windows (one observation per ``step``) whose target lies
``future`` steps after the window, an ``Input -> LSTM -> Dense`` model is
trained with `EarlyStopping` and a `ModelCheckpoint` that keeps only the
best weights, and the checkpoint is loaded back. The series is a
synthetic mix of sines and noise; the model must beat the naive forecast
that repeats the window's last value.
"""

import numpy as np

import torchkeras as keras


def make_series(num_points=2000, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(num_points, dtype="float64")
    temperature = (np.sin(2 * np.pi * t / 60) + 0.5 * np.sin(
        2 * np.pi * t / 15) + 0.05 * rng.normal(size=num_points))
    pressure = np.cos(2 * np.pi * t / 60) + 0.1 * rng.normal(size=num_points)
    humidity = 0.5 * temperature + 0.3 * rng.normal(size=num_points)
    return np.stack([temperature, pressure, humidity], axis=1)


def normalize(data, train_split):
    data_mean = data[:train_split].mean(axis=0)
    data_std = data[:train_split].std(axis=0)
    return (data - data_mean) / data_std


def test_timeseries_weather_forecasting(tmp_path):
    keras.utils.set_random_seed(1337)
    features = normalize(make_series(), train_split=1600).astype("float32")
    split_fraction = 0.8
    train_split = int(split_fraction * int(features.shape[0]))
    step = 2
    past = 40
    future = 6
    learning_rate = 0.005
    batch_size = 64
    epochs = 6

    train_data = features[0:train_split]
    val_data = features[train_split:]

    # Training windows: `past` observations, sampled every `step`; the
    # target is the temperature `future` observations after the window.
    start = past + future
    end = start + train_split
    x_train = train_data
    y_train = features[start:end][:, [0]]
    sequence_length = int(past / step)

    dataset_train = keras.utils.timeseries_dataset_from_array(
        x_train,
        y_train,
        sequence_length=sequence_length,
        sampling_rate=step,
        batch_size=batch_size,
    )

    x_end = len(val_data) - past - future
    label_start = train_split + past + future
    x_val = val_data[:x_end]
    y_val = features[label_start:][:, [0]]

    dataset_val = keras.utils.timeseries_dataset_from_array(
        x_val,
        y_val,
        sequence_length=sequence_length,
        sampling_rate=step,
        batch_size=batch_size,
    )

    for batch in dataset_train.take(1):
        inputs, targets = batch
    print("Input shape:", inputs.numpy().shape)
    print("Target shape:", targets.numpy().shape)
    assert tuple(inputs.shape) == (batch_size, sequence_length, 3)
    assert tuple(targets.shape) == (batch_size, 1)
    # The first window's target is the temperature `future` observations
    # after the last sampled observation of the window, as in the example.
    np.testing.assert_allclose(inputs.numpy()[0], x_train[0:past:step])
    np.testing.assert_allclose(targets.numpy()[0], y_train[0])

    inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
    lstm_out = keras.layers.LSTM(32)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)

    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="mse")
    model.summary()

    path_checkpoint = str(tmp_path / "model_checkpoint.weights.h5")
    es_callback = keras.callbacks.EarlyStopping(
        monitor="val_loss", min_delta=0, patience=3)
    modelckpt_callback = keras.callbacks.ModelCheckpoint(
        monitor="val_loss",
        filepath=path_checkpoint,
        verbose=1,
        save_weights_only=True,
        save_best_only=True,
    )

    history = model.fit(
        dataset_train,
        epochs=epochs,
        validation_data=dataset_val,
        callbacks=[es_callback, modelckpt_callback],
        verbose=0,
    )
    loss = history.history["loss"]
    val_loss = history.history["val_loss"]
    assert loss[-1] < 0.5 * loss[0], loss

    # The naive forecast repeats the window's last temperature.
    naive_errors = []
    for x, y in dataset_val:
        naive_errors.append((x.numpy()[:, -1, 0] - y.numpy()[:, 0]) ** 2)
    naive_mse = float(np.mean(np.concatenate(naive_errors)))
    assert min(val_loss) < 0.5 * naive_mse, (val_loss, naive_mse)

    # Restore the best weights into the model and into a fresh one.
    model.load_weights(path_checkpoint)
    best_val_loss = model.evaluate(dataset_val, verbose=0)
    np.testing.assert_allclose(best_val_loss, min(val_loss), rtol=1e-4)

    fresh_inputs = keras.layers.Input(shape=(sequence_length, 3))
    fresh_outputs = keras.layers.Dense(1)(
        keras.layers.LSTM(32)(fresh_inputs))
    restored = keras.Model(fresh_inputs, fresh_outputs)
    restored.load_weights(path_checkpoint)
    for x, y in dataset_val.take(3):
        np.testing.assert_allclose(
            restored.predict(x, verbose=0), model.predict(x, verbose=0),
            rtol=1e-5, atol=1e-6)
