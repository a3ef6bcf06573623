"""``keras.applications.resnet50``: Keras's namespace for ResNet50 alone.

The definitions live in `resnet` (which also registers them under this
namespace's public paths); this module only gives them its name, so
``applications.resnet50.ResNet50`` and ``resnet50.preprocess_input`` work
as in Keras.
"""

from torchkeras.applications.resnet import ResNet50
from torchkeras.applications.resnet import decode_predictions
from torchkeras.applications.resnet import preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
