"""tf.keras 2.2-2.5's ``layers.experimental.preprocessing``: the
preprocessing layers of ``layers`` under their old import path.

The names are the ``keras.layers.experimental.preprocessing.<Name>`` aliases
the layers register (``utils/registry.py``); the ``layers`` package has
imported their modules before this one.
"""

from torchkeras.utils import registry as _registry

_registry.export_into(globals(), "keras.layers.experimental.preprocessing")
