"""tf.keras 2.2-2.5's ``layers.experimental`` namespace.

Those releases kept the preprocessing layers under
``layers.experimental.preprocessing``; they are the very classes of
``layers``.
"""

from torchkeras.layers.experimental import preprocessing as preprocessing
