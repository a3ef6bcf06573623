"""Complete Keras-style programs, run end to end on small data.

Each file is one program written the way keras.io examples and TensorFlow
tutorials write theirs, with only the import changed (``import torchkeras
as keras``), and asserts that it learned (loss falls, accuracy above
chance) and, where it saves, that reloading predicts the same. Every test
here is marked ``program``; the slow ones also ``slow`` (``tox -e
py311-fast`` skips those).
"""

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/programs/" in str(item.fspath):
            item.add_marker(pytest.mark.program)
