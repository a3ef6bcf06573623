"""A captcha-style OCR model trained with CTC, read back by a second model.

The style of the keras.io captcha OCR example: images of short digit
strings go through Conv2D and pooling, are reshaped into a sequence along
the image width, then Dense, a bidirectional LSTM and a softmax ``dense2``.
An endpoint ``CTCLayer`` takes the ``label`` input and adds
``keras.backend.ctc_batch_cost`` with ``self.add_loss``; the model compiles
without a loss. The inference model is cut from the trained one with
``model.get_layer(name="image").input`` and ``get_layer(name="dense2")``,
and decoded with ``keras.backend.ctc_decode``. The "captchas" are bundled
8x8 digits placed side by side.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers

NUM_DIGITS = 3
BLANK = 10  # ctc_batch_cost takes the last class as the blank.


def make_captchas(images, labels, count, rng):
    """Strings of NUM_DIGITS digits and their images, width first."""
    picks = rng.integers(0, len(images), size=(count, NUM_DIGITS))
    strings = labels[picks].astype("int64")
    # (count, 8, 8 * NUM_DIGITS): digits side by side.
    rows = np.concatenate([images[picks[:, i]] for i in range(NUM_DIGITS)],
                          axis=2)
    # As in the example, the width becomes the first axis: it is the
    # time axis of the recurrent part.
    captchas = np.transpose(rows, (0, 2, 1))[..., None]
    return captchas.astype("float32") / 16.0, strings


class CTCLayer(layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.backend.ctc_batch_cost

    def call(self, y_true, y_pred):
        # Compute the training-time loss value and add it to the layer
        # using `self.add_loss()`.
        batch_len = keras.backend.cast(keras.backend.shape(y_true)[0],
                                       dtype="int64")
        input_length = keras.backend.cast(keras.backend.shape(y_pred)[1],
                                          dtype="int64")
        label_length = keras.backend.cast(keras.backend.shape(y_true)[1],
                                          dtype="int64")

        input_length = input_length * keras.backend.ones(
            shape=(batch_len, 1), dtype="int64")
        label_length = label_length * keras.backend.ones(
            shape=(batch_len, 1), dtype="int64")

        loss = self.loss_fn(y_true, y_pred, input_length, label_length)
        self.add_loss(loss)

        # At test time, just return the computed predictions.
        return y_pred


def build_model(img_width, img_height, num_classes):
    input_img = layers.Input(shape=(img_width, img_height, 1), name="image",
                             dtype="float32")
    labels = layers.Input(name="label", shape=(None,), dtype="float32")

    x = layers.Conv2D(16, (3, 3), activation="relu",
                      kernel_initializer="he_normal", padding="same",
                      name="Conv1")(input_img)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)

    # The pooled feature maps become a sequence along the width.
    new_shape = ((img_width // 2), (img_height // 2) * 16)
    x = layers.Reshape(target_shape=new_shape, name="reshape")(x)
    x = layers.Dense(32, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.1)(x)

    x = layers.Bidirectional(layers.LSTM(32, return_sequences=True))(x)
    x = layers.Dense(num_classes, activation="softmax", name="dense2")(x)

    output = CTCLayer(name="ctc_loss")(labels, x)

    model = keras.models.Model(inputs=[input_img, labels], outputs=output,
                               name="ocr_model_v1")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2))
    return model


def decode_batch_predictions(pred):
    input_len = np.ones(pred.shape[0]) * pred.shape[1]
    results = keras.backend.ctc_decode(pred, input_length=input_len,
                                       greedy=True)[0][0]
    results = np.asarray(results)[:, :NUM_DIGITS]
    return results


def test_captcha_ocr_with_ctc_layer_and_prediction_model():
    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)
    (images, digit_labels), _ = keras.datasets.digits.load_data()
    x_train, y_train = make_captchas(images, digit_labels, 600, rng)
    x_valid, y_valid = make_captchas(images, digit_labels, 100, rng)
    img_width, img_height = x_train.shape[1], x_train.shape[2]

    model = build_model(img_width, img_height, num_classes=BLANK + 1)

    train_dataset = keras.data.Dataset.from_tensor_slices(
        {"image": x_train, "label": y_train.astype("float32")})
    train_dataset = train_dataset.shuffle(600, seed=7).batch(32)
    validation_dataset = keras.data.Dataset.from_tensor_slices(
        {"image": x_valid, "label": y_valid.astype("float32")}).batch(32)

    history = model.fit(train_dataset, validation_data=validation_dataset,
                        epochs=12, verbose=0)
    losses = history.history["loss"]
    print("CTC loss per epoch:", [round(v, 3) for v in losses])
    assert losses[-1] < 0.25 * losses[0]
    assert history.history["val_loss"][-1] < 0.35 * history.history[
        "val_loss"][0]

    # The inference model: from the image input to the softmax outputs.
    prediction_model = keras.models.Model(
        model.get_layer(name="image").input,
        model.get_layer(name="dense2").output)
    prediction_model.summary()

    preds = prediction_model.predict(x_valid, verbose=0)
    assert preds.shape == (len(x_valid), img_width // 2, BLANK + 1)
    decoded = decode_batch_predictions(preds)
    assert decoded.shape == (len(x_valid), NUM_DIGITS)
    char_accuracy = np.mean(decoded == y_valid)
    print("character accuracy:", char_accuracy)
    # Chance is about 0.1 per character.
    assert char_accuracy > 0.5
