"""The public surface of torchkeras, compared with ``public_api.txt``.

A public name is a non-underscore attribute of a public namespace that is
not a submodule (``torchkeras.layers.core`` is an implementation package),
except that the top-level ``torchkeras`` lists its public namespaces
(``layers``, ``backend``, ...). The file has one ``module.name`` per line,
sorted. After an intended change of the API, regenerate it with::

    python tests/api/test_public_api.py --update
"""

import importlib
import pathlib
import sys
import types

API_FILE = pathlib.Path(__file__).with_name("public_api.txt")

# The namespaces of DESIGN.md section 1 (those not written yet are skipped
# until they exist, and then show up as additions).
NAMESPACES = (
    "activations", "applications", "backend", "callbacks", "constraints",
    "data", "datasets", "distribute", "initializers", "layers", "losses",
    "metrics", "mixed_precision", "models", "ops", "optimizers",
    "preprocessing", "regularizers", "saving", "utils",
)


def _public_names(module, keep_modules):
    names = []
    for name in dir(module):
        if name.startswith("_"):
            continue
        value = getattr(module, name)
        if isinstance(value, types.ModuleType) and name not in keep_modules:
            continue
        names.append(f"{module.__name__}.{name}")
    return names


def current_surface():
    """Sorted ``module.name`` strings of the public API as it is now."""
    root = importlib.import_module("torchkeras")
    present = []
    for namespace in NAMESPACES:
        try:
            importlib.import_module(f"torchkeras.{namespace}")
        except ModuleNotFoundError as e:
            if e.name != f"torchkeras.{namespace}":
                raise
            continue
        present.append(namespace)
    names = _public_names(root, keep_modules=set(present))
    for namespace in present:
        module = importlib.import_module(f"torchkeras.{namespace}")
        names.extend(_public_names(module, keep_modules=set()))
    return sorted(set(names))


def recorded_surface():
    lines = API_FILE.read_text().splitlines()
    return [line.strip() for line in lines if line.strip()]


def test_public_api_matches_file():
    current = set(current_surface())
    recorded = set(recorded_surface())
    added = sorted(current - recorded)
    removed = sorted(recorded - current)
    if added or removed:
        report = ["The public API differs from tests/api/public_api.txt."]
        report += [f"  + {name}" for name in added]
        report += [f"  - {name}" for name in removed]
        report.append("If intended, run: python tests/api/test_public_api.py "
                      "--update")
        print("\n".join(report))
        raise AssertionError("\n".join(report))


def test_api_file_is_sorted_and_unique():
    recorded = recorded_surface()
    assert recorded == sorted(set(recorded))


def test_top_level_keras_names_present():
    recorded = set(recorded_surface())
    for name in ("Input", "Model", "Sequential", "layers", "backend",
                 "utils"):
        assert f"torchkeras.{name}" in recorded
    for name in ("Dense", "Input", "InputLayer", "Layer"):
        assert f"torchkeras.layers.{name}" in recorded


if __name__ == "__main__":
    if "--update" not in sys.argv:
        sys.exit("usage: python tests/api/test_public_api.py --update")
    repo = pathlib.Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(repo))
    API_FILE.write_text("\n".join(current_surface()) + "\n")
    print(f"wrote {API_FILE}")
