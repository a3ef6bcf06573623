"""ResNet (v1, with Keras's ``resnet50`` namespace) and ResNetV2 against
real Keras 3 (see conftest.py).

The lightest model of each family runs with its classifier at 224x224
(the ImageNet file with the top); the deeper ones without it, at the
32x32 minimum, and marked slow (about 15 s each: two Keras builds, one
here), so ``-m "not slow"`` keeps one check per family.
Keras 3's ``.weights.h5`` is loaded once, into ResNet50V2, which has
every weighted layer type of ResNet and DenseNet.
"""

import pytest


@pytest.mark.parametrize("module,fn,path_weights", [
    ("resnet50", "ResNet50", False),
    ("resnet_v2", "ResNet50V2", True),
])
def test_with_top_matches_keras(keras_match, module, fn, path_weights):
    keras_match(module, fn, batch=1, path_weights=path_weights)


@pytest.mark.slow
@pytest.mark.parametrize("module,fn,pooling", [
    ("resnet", "ResNet101", "avg"),
    ("resnet", "ResNet152", "max"),
    ("resnet_v2", "ResNet101V2", "max"),
    ("resnet_v2", "ResNet152V2", "avg"),
])
def test_notop_matches_keras(keras_match, module, fn, pooling):
    keras_match(module, fn, include_top=False, input_shape=(32, 32, 3),
                pooling=pooling, batch=1, path_weights=False, via_cache=False)


def test_namespaces():
    from torchkeras import applications
    from torchkeras.applications import resnet
    from torchkeras.applications import resnet50

    assert applications.ResNet50 is resnet50.ResNet50 is resnet.ResNet50
    assert resnet50.preprocess_input is resnet.preprocess_input
    assert applications.ResNet152V2 is applications.resnet_v2.ResNet152V2


@pytest.mark.parametrize("module,fn,kwargs", [
    ("resnet", "ResNet101", {"weights": "nowhere.h5"}),
    ("resnet50", "ResNet50", {"weights": "imagenet", "classes": 10}),
    ("resnet_v2", "ResNet50V2",
     {"weights": "imagenet", "input_shape": [64, 64, 3]}),
    ("resnet_v2", "ResNet152V2",
     {"weights": None, "include_top": False, "input_shape": [31, 31, 3]}),
])
def test_argument_errors_match_keras(keras_error, module, fn, kwargs):
    keras_error(module, fn, **kwargs)
