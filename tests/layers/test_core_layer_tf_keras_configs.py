"""tf.keras 2 configs of the core layers (as written into Keras 2 ``.h5``
files) deserialize into the matching torchkeras layers."""

import pytest

from torchkeras import layers

BASE = {"trainable": True, "dtype": "float32"}

CASES = [
    ("Dropout", {"rate": 0.3, "noise_shape": None, "seed": None},
     {"rate": 0.3}),
    ("SpatialDropout2D", {"rate": 0.2, "noise_shape": None, "seed": None,
                          "data_format": "channels_last"}, {"rate": 0.2}),
    ("GaussianNoise", {"stddev": 2.0}, {"stddev": 2.0}),
    ("LeakyReLU", {"alpha": 0.2}, {"negative_slope": 0.2}),
    ("ReLU", {"max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0},
     {"max_value": 6.0}),
    ("Flatten", {"data_format": "channels_last"},
     {"data_format": "channels_last"}),
    ("Reshape", {"target_shape": [3, 4]}, {"target_shape": (3, 4)}),
    ("Permute", {"dims": [2, 1]}, {"dims": (2, 1)}),
    ("Concatenate", {"axis": -1}, {"axis": -1}),
    ("Dot", {"axes": [1, 2], "normalize": False}, {"axes": [1, 2]}),
    ("BatchNormalization",
     {"axis": [3], "momentum": 0.99, "epsilon": 0.001, "center": True,
      "scale": True,
      "beta_initializer": {"class_name": "Zeros", "config": {}},
      "gamma_initializer": {"class_name": "Ones", "config": {}},
      "moving_mean_initializer": {"class_name": "Zeros", "config": {}},
      "moving_variance_initializer": {"class_name": "Ones", "config": {}},
      "beta_regularizer": None, "gamma_regularizer": None,
      "beta_constraint": None, "gamma_constraint": None},
     {"axis": 3, "momentum": 0.99}),
    ("LayerNormalization",
     {"axis": [2], "epsilon": 0.001, "center": True, "scale": True,
      "beta_initializer": {"class_name": "Zeros", "config": {}},
      "gamma_initializer": {"class_name": "Ones", "config": {}},
      "beta_regularizer": None, "gamma_regularizer": None,
      "beta_constraint": None, "gamma_constraint": None},
     {"axis": [2]}),
    ("PReLU", {"alpha_initializer": {"class_name": "Zeros", "config": {}},
               "alpha_regularizer": None, "alpha_constraint": None,
               "shared_axes": [1, 2]}, {"shared_axes": [1, 2]}),
    ("Activation", {"activation": "softmax"}, {}),
    ("ActivityRegularization", {"l1": 0.01, "l2": 0.0}, {"l1": 0.01}),
]


@pytest.mark.parametrize("class_name, config, expected", CASES,
                         ids=[c[0] for c in CASES])
def test_tf_keras_config_deserializes(class_name, config, expected):
    layer = layers.deserialize({"class_name": class_name,
                                "config": dict(BASE, name="old", **config)})
    assert type(layer).__name__ == class_name
    assert layer.name == "old"
    for key, value in expected.items():
        assert getattr(layer, key) == value
