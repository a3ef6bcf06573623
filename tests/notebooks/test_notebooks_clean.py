"""The notebooks as stored: outputs stripped, public API only.

Executing them is the `notebooks` tox env's job (`pytest --nbmake
notebooks`); this only reads the JSON, so it runs with the unit tests.
"""

import json
import pathlib
import re

import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = [
    "01_quickstart", "02_functional_api", "03_sequences_and_ctc",
    "04_customizing", "05_saving_and_keras_files", "06_multi_gpu",
    "07_text_preprocessing", "08_transfer_learning",
]
PUBLIC = {"layers", "losses", "metrics", "optimizers", "callbacks",
          "models", "backend", "utils", "datasets", "distribute", "ops",
          "data", "preprocessing", "activations", "initializers",
          "applications"}
_IMPORT = re.compile(r"^\s*(?:from|import)\s+(torchkeras[\w.]*)(.*)$",
                     re.MULTILINE)


def _sources():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells
                         if c["cell_type"] == "code")
        yield path.name, code
    for path in sorted(NOTEBOOKS.glob("*.py")):
        yield path.name, path.read_text()


def test_every_notebook_is_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_outputs_are_stripped(name):
    notebook = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    assert notebook["nbformat"] == 4
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        assert "attachments" not in cell


def test_only_the_public_api_is_imported():
    for name, code in _sources():
        for module, rest in _IMPORT.findall(code):
            if module == "torchkeras":
                ok = rest.strip() == "as keras" or all(
                    part.strip() in PUBLIC
                    for part in rest.replace("import", "").split(","))
            else:
                ok = False
            assert ok, f"{name}: `{module}{rest}` is not the public API"
        private = re.findall(r"\bkeras\.\w+(?:\.\w+)*\._\w+", code)
        assert not private, f"{name} uses private names {private}"
