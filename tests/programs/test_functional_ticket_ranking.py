"""A multi-input, multi-output functional model that ranks support tickets.

The style of the Keras functional API guide's ticket example: three named
inputs (the ticket ``title`` and ``body`` as token sequences, binary
``tags``), one `Embedding` + `LSTM` branch per text, the features
concatenated with the tags, and two named outputs: a ``priority`` score
and a ``department`` classifier. It compiles with one loss per output in
a dict and ``loss_weights``, trains on dicts of inputs and targets keyed
by name, and draws the model with `plot_model` when graphviz is there.
The tickets are synthetic: the priority follows the tags and the
department follows which words the title uses.
"""

import numpy as np

import torchkeras as keras
from torchkeras import layers

num_tags = 12  # Number of unique issue tags
num_words = 100  # Size of vocabulary obtained when preprocessing text data
num_departments = 4  # Number of departments for predictions


def make_tickets(num_samples, rng):
    department = rng.integers(0, num_departments, size=num_samples)
    # Each department has its own 20 title words; the other words are
    # shared filler.
    title_data = rng.integers(80, num_words, size=(num_samples, 10))
    own_words = rng.integers(0, 20, size=(num_samples, 4))
    title_data[:, :4] = own_words + 20 * department[:, None]
    title_data = np.apply_along_axis(rng.permutation, 1, title_data)
    body_data = rng.integers(1, num_words, size=(num_samples, 20))
    tags_data = rng.integers(0, 2, size=(num_samples, num_tags)).astype(
        "float32")
    priority_targets = (tags_data[:, :3].sum(axis=1) >= 2).astype(
        "float32")[:, None]
    dept_targets = keras.utils.to_categorical(department, num_departments)
    return (title_data, body_data, tags_data), (priority_targets,
                                                dept_targets)


def test_functional_ticket_ranking(tmp_path):
    keras.utils.set_random_seed(1337)
    rng = np.random.default_rng(1337)

    title_input = keras.Input(
        shape=(None,), name="title"
    )  # Variable-length sequence of ints
    body_input = keras.Input(
        shape=(None,), name="body")  # Variable-length sequence of ints
    tags_input = keras.Input(
        shape=(num_tags,), name="tags"
    )  # Binary vectors of size `num_tags`

    # Embed each word in the title into a 16-dimensional vector
    title_features = layers.Embedding(num_words, 16)(title_input)
    # Embed each word in the text into a 16-dimensional vector
    body_features = layers.Embedding(num_words, 16)(body_input)

    # Reduce sequence of embedded words in the title into a single
    # 32-dimensional vector
    title_features = layers.LSTM(32)(title_features)
    # Reduce sequence of embedded words in the body into a single
    # 8-dimensional vector
    body_features = layers.LSTM(8)(body_features)

    # Merge all available features into a single large vector via
    # concatenation
    x = layers.concatenate([title_features, body_features, tags_input])

    # Stick a logistic regression for priority prediction on top of the
    # features
    priority_pred = layers.Dense(1, name="priority")(x)
    # Stick a department classifier on top of the features
    department_pred = layers.Dense(num_departments, name="department")(x)

    # Instantiate an end-to-end model predicting both priority and
    # department
    model = keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs={"priority": priority_pred, "department": department_pred},
    )
    model.summary()
    assert model.input_names == ["title", "body", "tags"]

    try:
        keras.utils.plot_model(model, str(tmp_path / "multi_input.png"),
                               show_shapes=True)
    except ImportError as e:
        print("plot_model skipped:", e)

    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-2),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(
                from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
        metrics={"department": ["accuracy"]},
    )

    (title_data, body_data, tags_data), (priority_targets,
                                         dept_targets) = make_tickets(
        640, rng)
    history = model.fit(
        {"title": title_data, "body": body_data, "tags": tags_data},
        {"priority": priority_targets, "department": dept_targets},
        epochs=8,
        batch_size=32,
        verbose=0,
    )
    logs = history.history
    for name in ("priority_loss", "department_loss"):
        assert logs[name][-1] < 0.7 * logs[name][0], (name, logs[name])
    # The total is the weighted sum of the two output losses.
    np.testing.assert_allclose(
        logs["loss"][-1],
        logs["priority_loss"][-1] + 0.2 * logs["department_loss"][-1],
        rtol=1e-4)

    (title_test, body_test, tags_test), (priority_test,
                                         dept_test) = make_tickets(200, rng)
    predictions = model.predict(
        {"title": title_test, "body": body_test, "tags": tags_test},
        verbose=0)
    assert set(predictions) == {"priority", "department"}
    priority_acc = np.mean(
        (predictions["priority"] > 0) == (priority_test > 0.5))
    department_acc = np.mean(
        predictions["department"].argmax(-1) == dept_test.argmax(-1))
    assert priority_acc > 0.7, priority_acc  # chance is 0.5
    assert department_acc > 0.6, department_acc  # chance is 0.25
