"""The README demo: a tf.keras mnist-convnet-style model on the bundled digits.

Run ``python -m torchkeras.demo``: it loads the 8x8 digits shipped with the
package (no network), trains the functional convnet with ``fit`` (progress
bar, validation), and prints the test accuracy.
"""

import argparse

import numpy as np

import torchkeras as keras


def build_model(num_classes=10):
    """The keras.io mnist_convnet, sized for 8x8 images."""
    inputs = keras.Input(shape=(8, 8, 1), name="image")
    x = keras.layers.Conv2D(32, kernel_size=(3, 3), padding="same",
                            activation="relu")(inputs)
    x = keras.layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Conv2D(64, kernel_size=(3, 3), padding="same",
                            activation="relu")(x)
    x = keras.layers.MaxPooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dropout(0.5)(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="digits_convnet")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--verbose", default="auto")
    args = parser.parse_args(argv)
    verbose = args.verbose if args.verbose == "auto" else int(args.verbose)

    keras.utils.set_random_seed(42)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = (x_train.astype("float32") / 16.0)[..., np.newaxis]
    x_test = (x_test.astype("float32") / 16.0)[..., np.newaxis]

    model = build_model()
    model.summary()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=args.batch_size,
              epochs=args.epochs, validation_split=0.1, verbose=verbose)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"Test loss: {loss:.4f}")
    print(f"Test accuracy: {accuracy:.4f}")
    return accuracy


if __name__ == "__main__":
    main()
