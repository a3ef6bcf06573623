"""Knowledge distillation: a ``Distiller`` model trains a small student.

The style of the keras.io knowledge-distillation example: a teacher is
trained with ``compile``/``fit``; a ``Distiller(keras.Model)`` holding the
teacher and the student overrides ``compile(optimizer, metrics,
student_loss_fn, distillation_loss_fn, alpha, temperature)``,
``train_step`` (a softened KL term between teacher and student logits plus
the hard-label loss, only the student's weights updated, the metrics
updated through ``self.compiled_metrics``) and ``test_step``, and
``evaluate`` reports the step's own results. Runs on the bundled digits.
"""

import numpy as np

import torchkeras as keras
import torchkeras.compat.tf as tf
from torchkeras import layers


class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn,
                distillation_loss_fn, alpha=0.1, temperature=3):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def call(self, x):
        return self.student(x)

    def train_step(self, data):
        x, y = data
        teacher_predictions = self.teacher(x, training=False)
        with tf.GradientTape() as tape:
            student_predictions = self.student(x, training=True)
            student_loss = self.student_loss_fn(y, student_predictions)
            distillation_loss = self.distillation_loss_fn(
                tf.nn.softmax(teacher_predictions / self.temperature, axis=1),
                tf.nn.softmax(student_predictions / self.temperature, axis=1),
            ) * self.temperature ** 2
            loss = (self.alpha * student_loss
                    + (1 - self.alpha) * distillation_loss)
        trainable_vars = self.student.trainable_variables
        gradients = tape.gradient(loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.compiled_metrics.update_state(y, student_predictions)
        results = {m.name: m.result() for m in self.metrics}
        results.update({"student_loss": student_loss,
                        "distillation_loss": distillation_loss})
        return results

    def test_step(self, data):
        x, y = data
        y_prediction = self.student(x, training=False)
        student_loss = self.student_loss_fn(y, y_prediction)
        self.compiled_metrics.update_state(y, y_prediction)
        results = {m.name: m.result() for m in self.metrics}
        results.update({"student_loss": student_loss})
        return results


def test_distilled_student_beats_chance_and_tracks_teacher():
    keras.utils.set_random_seed(2)
    (x_train, y_train), (x_test, y_test) = keras.datasets.digits.load_data()
    x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
    x_test = x_test.reshape(-1, 64).astype("float32") / 16.0

    teacher = keras.Sequential(
        [keras.Input(shape=(64,)),
         layers.Dense(128, activation="relu"),
         layers.Dense(10)],
        name="teacher",
    )
    student = keras.Sequential(
        [keras.Input(shape=(64,)),
         layers.Dense(16, activation="relu"),
         layers.Dense(10)],
        name="student",
    )
    teacher.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    teacher.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0)
    teacher_acc = teacher.evaluate(x_test, y_test, verbose=0)[1]
    assert teacher_acc > 0.9

    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.003),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
        student_loss_fn=keras.losses.SparseCategoricalCrossentropy(
            from_logits=True),
        distillation_loss_fn=keras.losses.KLDivergence(),
        alpha=0.1,
        temperature=4,
    )
    history = distiller.fit(x_train, y_train, epochs=4, batch_size=32,
                            verbose=0)
    logs = history.history
    assert "sparse_categorical_accuracy" in logs
    assert logs["distillation_loss"][-1] < logs["distillation_loss"][0]
    assert logs["sparse_categorical_accuracy"][-1] > 0.8

    results = distiller.evaluate(x_test, y_test, verbose=0,
                                 return_dict=True)
    # tf.keras 2 lists no "loss" here (compiled_loss is never called);
    # Keras 3 lists its loss tracker too. Either way the step's own keys.
    assert {"sparse_categorical_accuracy", "student_loss"} <= set(results)
    logits = student.predict(x_test, verbose=0)
    expected_acc = np.mean(np.argmax(logits, axis=1) == y_test)
    np.testing.assert_allclose(results["sparse_categorical_accuracy"],
                               expected_acc, rtol=1e-6)
    assert expected_acc > 0.8
