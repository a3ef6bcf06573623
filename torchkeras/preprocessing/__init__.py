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

from torchkeras.utils import registry as _registry

# The dataset builders carry `@keras_export("keras.utils.<name>",
# "keras.preprocessing.<name>")`; `image`, `sequence` and `text` are
# namespaces of their own, the modules themselves.
_registry.import_submodules(__name__, __path__)
_registry.export_into(globals(), "keras.preprocessing")

from torchkeras.preprocessing import image as image  # noqa: E402
from torchkeras.preprocessing import sequence as sequence  # noqa: E402
from torchkeras.preprocessing import text as text  # noqa: E402
