"""tf.keras 2's ``preprocessing`` namespace.

``preprocessing.sequence`` (`pad_sequences`, `TimeseriesGenerator`,
`skipgrams`, `make_sampling_table`), ``preprocessing.text`` (`Tokenizer`,
`text_to_word_sequence`, `one_hot`, `hashing_trick`,
`tokenizer_from_json`) and ``preprocessing.image`` (`load_img`,
`save_img`, `img_to_array`, `array_to_img`; Pillow needed), and the
dataset builders that tf.keras 2.3 introduced here
(`image_dataset_from_directory`, `text_dataset_from_directory`,
`timeseries_dataset_from_array`; also in `keras.utils`).
"""

from torchkeras.preprocessing import image as image
from torchkeras.preprocessing import sequence as sequence
from torchkeras.preprocessing import text as text
from torchkeras.preprocessing.image_dataset import (
    image_dataset_from_directory as image_dataset_from_directory,
)
from torchkeras.preprocessing.text_dataset import (
    text_dataset_from_directory as text_dataset_from_directory,
)
from torchkeras.preprocessing.timeseries_dataset import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
