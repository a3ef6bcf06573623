"""The ``compat`` namespace: tf 1.x spellings that tf.keras code still uses.

``compat.v1.ConfigProto``, ``compat.v1.GPUOptions``, ``compat.v1.Session``
and ``compat.v1.keras.backend.set_session``; they are the backend's own
(``backend/session.py``).
"""

from torchkeras.compat import v1 as v1
