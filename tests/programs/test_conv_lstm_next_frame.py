"""Next-frame video prediction with stacked ConvLSTM2D layers.

The style of the keras.io "next-frame video prediction with convolutional
LSTMs" example: each clip is shifted by one frame to make inputs and
targets (``create_shifted_frames``), a model of ``ConvLSTM2D`` layers
(``return_sequences=True``) with `BatchNormalization` between them ends in
a sigmoid ``Conv3D`` that predicts every next frame, trained with binary
crossentropy, `EarlyStopping` and `ReduceLROnPlateau`, and then asked to
extrapolate new frames one at a time. The clips are tiny synthetic
squares moving across 16x16 frames instead of Moving MNIST.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers


def moving_squares(num_clips, num_frames=8, size=16, seed=0):
    rng = np.random.default_rng(seed)
    clips = np.zeros((num_clips, num_frames, size, size, 1), "float32")
    for clip in clips:
        y, x = rng.integers(0, size - 4, size=2)
        dy, dx = rng.choice([-1, 1], size=2)
        for frame in clip:
            frame[y:y + 4, x:x + 4] = 1.0
            if not 0 <= y + dy <= size - 4:
                dy = -dy
            if not 0 <= x + dx <= size - 4:
                dx = -dx
            y, x = y + dy, x + dx
    return clips


def create_shifted_frames(data):
    x = data[:, 0: data.shape[1] - 1, :, :]
    y = data[:, 1: data.shape[1], :, :]
    return x, y


def test_conv_lstm_next_frame():
    keras.utils.set_random_seed(42)
    dataset = moving_squares(80)
    indexes = np.arange(dataset.shape[0])
    np.random.default_rng(1).shuffle(indexes)
    train_index = indexes[: int(0.9 * dataset.shape[0])]
    val_index = indexes[int(0.9 * dataset.shape[0]):]
    train_dataset = dataset[train_index]
    val_dataset = dataset[val_index]

    x_train, y_train = create_shifted_frames(train_dataset)
    x_val, y_val = create_shifted_frames(val_dataset)
    print("Training Dataset Shapes: " + str(x_train.shape) + ", "
          + str(y_train.shape))
    assert x_train.shape == (72, 7, 16, 16, 1)

    inp = layers.Input(shape=(None, *x_train.shape[2:]))
    x = layers.ConvLSTM2D(
        filters=8,
        kernel_size=(5, 5),
        padding="same",
        return_sequences=True,
        activation="relu",
    )(inp)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ConvLSTM2D(
        filters=8,
        kernel_size=(3, 3),
        padding="same",
        return_sequences=True,
        activation="relu",
    )(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    x = layers.ConvLSTM2D(
        filters=8,
        kernel_size=(1, 1),
        padding="same",
        return_sequences=True,
        activation="relu",
    )(x)
    x = layers.Conv3D(
        filters=1, kernel_size=(3, 3, 3), activation="sigmoid",
        padding="same"
    )(x)

    model = keras.models.Model(inp, x)
    model.compile(
        loss=keras.losses.binary_crossentropy,
        optimizer=keras.optimizers.Adam(learning_rate=5e-3),
    )
    model.summary()
    assert model.output_shape == (None, None, 16, 16, 1)

    early_stopping = keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=10)
    reduce_lr = keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss", patience=5)

    epochs = 8
    batch_size = 8
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(x_val, y_val),
        callbacks=[early_stopping, reduce_lr],
        verbose=0,
    )
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0], losses

    # Predict the frames of a validation clip, one new frame at a time.
    example = val_dataset[0]
    frames = example[:4, ...]
    for _ in range(4):
        new_prediction = model.predict(np.expand_dims(frames, axis=0),
                                       verbose=0)
        assert new_prediction.shape == (1, frames.shape[0], 16, 16, 1)
        new_prediction = np.squeeze(new_prediction, axis=0)
        predicted_frame = np.expand_dims(new_prediction[-1, ...], axis=0)
        frames = np.concatenate((frames, predicted_frame), axis=0)
    assert frames.shape == (8, 16, 16, 1)

    # The model's next frame beats copying the current frame.
    prediction = model.predict(x_val, verbose=0)
    model_error = np.mean((prediction - y_val) ** 2)
    copy_error = np.mean((x_val - y_val) ** 2)
    assert model_error < copy_error, (model_error, copy_error)
