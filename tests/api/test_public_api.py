"""The public surface of torchkeras, compared with ``public_api.txt``.

The names come first from the registry (``torchkeras/utils/registry.py``):
each ``@keras_export("keras.layers.Dense")`` path, ``keras`` read as
``torchkeras``. The namespaces are scanned as well, for what is not
registered: a public name is a non-underscore attribute of a public
namespace that is not a submodule (``torchkeras.layers.core`` is an
implementation package), except that the top-level ``torchkeras`` lists its
public namespaces (``layers``, ``backend``, ...). The file has one
``module.name`` per line, sorted. After an intended change of the API,
regenerate it with::

    python tests/api/test_public_api.py --update
"""

import importlib
import pathlib
import sys
import types

API_FILE = pathlib.Path(__file__).with_name("public_api.txt")

# tf.keras's public namespaces (those not written yet are skipped
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


def registered_surface():
    """``{torchkeras path: object}`` of every ``keras_export`` path."""
    importlib.import_module("torchkeras")
    from torchkeras.utils import registry

    surface = {}
    for path in registry.all_public_names():
        namespace, _, name = path.rpartition(".")
        obj = registry.objects_in(namespace)[name]
        surface["torch" + path] = obj
    return surface


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
    # The file lists the namespaces themselves; a deeper registered path
    # (tf.keras 2's `layers.experimental.preprocessing.*`) is checked by
    # `test_registered_paths_are_the_objects_there` only.
    listed = {"torchkeras"} | {f"torchkeras.{n}" for n in present}
    names.extend(path for path in registered_surface()
                 if path.rpartition(".")[0] in listed)
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


def test_registered_paths_are_the_objects_there():
    """Each registered path is an attribute of its namespace holding the
    registered object, so the registry and the namespaces cannot drift."""
    wrong = []
    for path, obj in registered_surface().items():
        module_name, _, name = path.rpartition(".")
        module = importlib.import_module(module_name)
        if getattr(module, name, None) is not obj:
            wrong.append(f"{path}: {getattr(module, name, None)!r}")
    assert not wrong, "\n".join(wrong)


def test_registry_names_each_object_under_one_canonical_path():
    from torchkeras.utils import registry

    dense = registry.objects_in("keras.layers")["Dense"]
    assert registry.public_paths(dense) == ("keras.layers.Dense",)
    conv = registry.objects_in("keras.layers")["Convolution1D"]
    assert registry.public_paths(conv)[0] == "keras.layers.Conv1D"
    assert registry.objects_in("keras.losses")["mse"] is (
        registry.objects_in("keras.losses")["mean_squared_error"])


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
