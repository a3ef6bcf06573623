"""tf.keras 2's ``preprocessing`` namespace.

``preprocessing.sequence`` (`pad_sequences`, `TimeseriesGenerator`,
`skipgrams`, `make_sampling_table`), ``preprocessing.text`` (`Tokenizer`,
`text_to_word_sequence`, `one_hot`, `hashing_trick`,
`tokenizer_from_json`) and ``preprocessing.image`` (`load_img`,
`save_img`, `img_to_array`, `array_to_img`; Pillow needed).
"""

from torchkeras.preprocessing import image as image
from torchkeras.preprocessing import sequence as sequence
from torchkeras.preprocessing import text as text
