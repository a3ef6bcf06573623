"""``keras.applications``: the ImageNet models, name for name as Keras
builds them, so Keras's weight files load by topology and by name.

Each family is a module (``applications.mobilenet_v2``, ...) holding its
constructors, ``preprocess_input`` and ``decode_predictions``; the
constructors are also bound here (``applications.MobileNetV2``).
"""

from torchkeras.utils import registry

registry.import_submodules(__name__, __path__)
registry.export_into(globals(), "keras.applications")
