"""``keras.utils.np_utils``: the Keras 2.0-2.3 home of the NumPy helpers.

Old programs write ``from keras.utils import np_utils`` and then
``np_utils.to_categorical(y, 10)``; the functions are the ones in
``numerical_utils``.
"""

from torchkeras.utils.numerical_utils import normalize as normalize
from torchkeras.utils.numerical_utils import to_categorical as to_categorical
