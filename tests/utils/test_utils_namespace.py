"""`keras.utils` re-exports Keras 3's spellings of preprocessing helpers.

Keras 3 moved ``pad_sequences`` and the image helpers (``load_img``,
``save_img``, ``img_to_array``, ``array_to_img``) from tf.keras 2's
``preprocessing`` modules to ``keras.utils``; the same functions answer
under both names.
"""

import numpy as np
import pytest

import torchkeras as keras
from torchkeras.preprocessing import image
from torchkeras.preprocessing import sequence


def test_pad_sequences_is_the_preprocessing_function():
    assert keras.utils.pad_sequences is sequence.pad_sequences
    padded = keras.utils.pad_sequences([[1, 2, 3], [4]], padding="post")
    np.testing.assert_array_equal(padded, [[1, 2, 3], [4, 0, 0]])


@pytest.mark.parametrize(
    "name", ["array_to_img", "img_to_array", "load_img", "save_img"])
def test_image_helpers_are_the_preprocessing_functions(name):
    assert getattr(keras.utils, name) is getattr(image, name)
    assert name in dir(keras.utils)


def test_save_img_load_img_round_trip(tmp_path):
    pytest.importorskip("PIL")
    pixels = np.arange(4 * 5 * 3, dtype="uint8").reshape(4, 5, 3) * 4
    path = tmp_path / "image.png"
    keras.utils.save_img(path, pixels, scale=False)
    loaded = keras.utils.img_to_array(keras.utils.load_img(path))
    np.testing.assert_array_equal(loaded, pixels.astype("float32"))


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="no_such_helper"):
        keras.utils.no_such_helper  # noqa: B018
