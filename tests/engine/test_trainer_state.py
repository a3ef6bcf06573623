"""The trainer declares its state in one place (`TRAINER_STATE`)."""

import ast
import pathlib

import torchkeras as keras
from torchkeras.engine import trainer

SOURCE = pathlib.Path(trainer.__file__)


def _written_keys():
    """Keys the trainer writes straight into an instance ``__dict__``:
    ``d["k"] = ...`` where ``d = self.__dict__``, or
    ``self.__dict__["k"] = ...``."""
    tree = ast.parse(SOURCE.read_text())
    keys = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if not (isinstance(target, ast.Subscript) and isinstance(
                    target.slice, ast.Constant)):
                continue
            owner = target.value
            direct = isinstance(owner, ast.Attribute) and (
                owner.attr == "__dict__")
            if direct or (isinstance(owner, ast.Name) and owner.id == "d"):
                keys.add(target.slice.value)
    return keys


def test_every_key_the_trainer_writes_is_declared():
    written = _written_keys()
    assert len(written) > 15  # the scan sees the writes
    assert written <= set(trainer.TRAINER_STATE), (
        written - set(trainer.TRAINER_STATE))


def test_trainer_state_is_not_registered_with_torch():
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    before = set(model.state_dict())
    model.compile("adam", "mse", metrics=["mae"])
    assert set(model.state_dict()) == before
    assert model.optimizer not in list(model.modules())
    for key, default in trainer.TRAINER_STATE.items():
        assert key in model.__dict__, key
    fresh = keras.Model(inputs, model.layers[-1].output)
    assert fresh._output_loss_trackers is not model._output_loss_trackers
