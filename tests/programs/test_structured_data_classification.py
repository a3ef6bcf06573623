"""Structured-data classification with preprocessing layers in the model.

The style of the keras.io "structured data classification from scratch"
example and the TensorFlow "classify structured data using Keras
preprocessing layers" tutorial: a table (a dict of columns, as
``dict(dataframe)``) becomes a `data.Dataset` with
``from_tensor_slices((dict(dataframe), labels))``, one `keras.Input` per
column (``dtype="int64"`` or ``"string"`` for the categorical ones), a
`Normalization` per numeric column, ``IntegerLookup`` + `CategoryEncoding`
for an integer category, ``StringLookup(output_mode="one_hot")`` for a
string category, each adapted on its column of the dataset, the encoded
features concatenated into a small `Dense` classifier, and the model,
preprocessing included, saved and reloaded. The table is synthetic: the
target follows the numbers, the integer category and the string one.
"""

import numpy as np

import torchkeras as keras
from torchkeras import data as tf_data
from torchkeras import layers
from torchkeras import ops
from torchkeras.layers import IntegerLookup
from torchkeras.layers import Normalization
from torchkeras.layers import StringLookup

THALS = np.array(["normal", "fixed", "reversible"])


def make_table(num_rows, rng):
    age = rng.normal(54.0, 9.0, size=num_rows).round()
    chol = rng.normal(245.0, 50.0, size=num_rows).round()
    sex = rng.integers(0, 2, size=num_rows)
    cp = rng.integers(0, 5, size=num_rows)
    thal = THALS[rng.integers(0, 3, size=num_rows)]
    risk = (0.08 * (age - 54.0) + 0.02 * (chol - 245.0)
            + 1.0 * (cp >= 3) - 0.8 * (cp == 0) + 0.6 * sex
            + 1.2 * (thal == "reversible") - 0.7 * (thal == "normal"))
    risk += rng.normal(0.0, 0.4, size=num_rows)
    target = (risk > 0.0).astype("int64")
    return {"age": age, "chol": chol, "sex": sex, "cp": cp, "thal": thal,
            "target": target}


def dataframe_to_dataset(dataframe):
    dataframe = dict(dataframe)
    labels = dataframe.pop("target")
    ds = tf_data.Dataset.from_tensor_slices((dict(dataframe), labels))
    ds = ds.shuffle(buffer_size=len(labels))
    return ds


def encode_numerical_feature(feature, name, dataset):
    # Create a Normalization layer for our feature
    normalizer = Normalization()

    # Prepare a Dataset that only yields our feature
    feature_ds = dataset.map(lambda x, y: x[name])
    feature_ds = feature_ds.map(lambda x: ops.expand_dims(x, -1))

    # Learn the statistics of the data
    normalizer.adapt(feature_ds)

    # Normalize the input feature
    encoded_feature = normalizer(feature)
    return encoded_feature


def get_category_encoding_layer(name, dataset, max_tokens=None):
    # Create a layer that turns integer values into integer indices.
    index = IntegerLookup(max_tokens=max_tokens)

    # Prepare a Dataset that only yields the feature.
    feature_ds = dataset.map(lambda x, y: x[name])

    # Learn the set of possible values and assign them a fixed index.
    index.adapt(feature_ds)

    # Encode the integer indices.
    encoder = layers.CategoryEncoding(num_tokens=index.vocabulary_size())

    # Apply multi-hot encoding to the indices. The lambda function captures
    # the layer, so you can use them, or include them in the Keras
    # Functional model later.
    return lambda feature: encoder(index(feature))


def encode_string_feature(feature, name, dataset):
    lookup = StringLookup(output_mode="one_hot")
    feature_ds = dataset.map(lambda x, y: x[name])
    feature_ds = feature_ds.map(lambda x: ops.expand_dims(x, -1))
    lookup.adapt(feature_ds)
    return lookup(feature)


def test_structured_data_classification(tmp_path):
    keras.utils.set_random_seed(1337)
    rng = np.random.default_rng(1337)
    dataframe = make_table(600, rng)
    val_rows = rng.random(600) < 0.2
    val_dataframe = {k: v[val_rows] for k, v in dataframe.items()}
    train_dataframe = {k: v[~val_rows] for k, v in dataframe.items()}
    print(f"Using {int((~val_rows).sum())} samples for training and "
          f"{int(val_rows.sum())} for validation")

    train_ds = dataframe_to_dataset(train_dataframe)
    val_ds = dataframe_to_dataset(val_dataframe)
    for x, y in train_ds.take(1):
        print("Input:", x)
        print("Target:", y)
    assert set(x) == {"age", "chol", "sex", "cp", "thal"}

    train_ds = train_ds.batch(32)
    val_ds = val_ds.batch(32)

    # Categorical features encoded as integers
    sex = keras.Input(shape=(1,), name="sex", dtype="int64")
    cp = keras.Input(shape=(1,), name="cp", dtype="int64")
    # Categorical feature encoded as string
    thal = keras.Input(shape=(1,), name="thal", dtype="string")
    # Numerical features
    age = keras.Input(shape=(1,), name="age")
    chol = keras.Input(shape=(1,), name="chol")

    all_inputs = [sex, cp, thal, age, chol]

    # Integer categorical features
    sex_encoded = get_category_encoding_layer("sex", train_ds)(sex)
    cp_encoded = get_category_encoding_layer("cp", train_ds,
                                             max_tokens=6)(cp)
    # String categorical features
    thal_encoded = encode_string_feature(thal, "thal", train_ds)
    # Numerical features
    age_encoded = encode_numerical_feature(age, "age", train_ds)
    chol_encoded = encode_numerical_feature(chol, "chol", train_ds)

    # IntegerLookup puts the out-of-vocabulary index first: 1 + 2 and
    # 1 + 5 values; StringLookup one-hot: 1 + 3.
    assert tuple(sex_encoded.shape) == (None, 3)
    assert tuple(cp_encoded.shape) == (None, 6)
    assert tuple(thal_encoded.shape) == (None, 4)

    all_features = layers.concatenate(
        [sex_encoded, cp_encoded, thal_encoded, age_encoded, chol_encoded]
    )
    x = layers.Dense(32, activation="relu")(all_features)
    x = layers.Dropout(0.2)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(all_inputs, output)
    model.compile(keras.optimizers.Adam(3e-3), "binary_crossentropy",
                  metrics=["accuracy"])
    model.summary()

    history = model.fit(train_ds, epochs=10, validation_data=val_ds,
                        verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.6 * losses[0], losses
    assert history.history["val_accuracy"][-1] > 0.8, history.history

    sample = {
        "age": 60.0,
        "sex": 1,
        "cp": 4,
        "chol": 300.0,
        "thal": "reversible",
    }
    input_dict = {name: ops.convert_to_tensor([value])
                  for name, value in sample.items()}
    predictions = model.predict(input_dict, verbose=0)
    print(f"This particular patient had a {100 * predictions[0][0]:.1f} "
          "percent probability of having a heart disease.")
    assert predictions[0][0] > 0.8

    path = tmp_path / "structured.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    for features, _ in val_ds.take(2):
        np.testing.assert_allclose(
            restored.predict(features, verbose=0),
            model.predict(features, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(restored.predict(input_dict, verbose=0),
                               predictions, rtol=1e-5, atol=1e-6)
