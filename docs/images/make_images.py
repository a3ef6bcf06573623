"""Draws the README's pictures with torchkeras itself.

Run from the repository root (needs matplotlib; Graphviz's ``dot`` lays
the model out when it is installed):

    python docs/images/make_images.py

It trains the demo convnet (``torchkeras.demo``: the bundled digits, the
demo's seed, epochs and batch size) and writes ``training_curve.png`` with
``utils.plot_history`` and ``model_plot.png`` with ``utils.plot_model``.
"""

import os
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import torchkeras as keras  # noqa: E402
from torchkeras.demo import build_model  # noqa: E402
from torchkeras.utils.model_visualization import plot_model  # noqa: E402
from torchkeras.utils.plotting import plot_history  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main(epochs=30, batch_size=32):
    keras.utils.set_random_seed(42)
    (x_train, y_train), _ = keras.datasets.digits.load_data()
    x_train = (x_train.astype("float32") / 16.0)[..., np.newaxis]
    model = build_model()
    plot_model(model, to_file=os.path.join(HERE, "model_plot.png"),
               show_shapes=True, dpi=80)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size,
                        epochs=epochs, validation_split=0.1, verbose=2)
    figure = plot_history(history)
    figure.suptitle("python -m torchkeras.demo: the digits convnet")
    figure.tight_layout()
    figure.savefig(os.path.join(HERE, "training_curve.png"), dpi=80)


if __name__ == "__main__":
    main(*[int(a) for a in sys.argv[1:]])
