"""Dependencies point down: a package imports only lower ranks.

utils/backend < graph, ops, activations, initializers, regularizers,
constraints, distribute, data, datasets < layers < losses, metrics,
optimizers, callbacks, saving < engine < public namespaces (the table of
docs/ARCHITECTURE.md). Imports inside functions count too; the few
deliberate upward ones (a registry lookup that would otherwise be
circular) are listed with their reason.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "torchkeras"

RANK = {
    "utils": 0, "backend": 0,
    "graph": 1, "ops": 1, "activations": 1, "initializers": 1,
    "regularizers": 1, "constraints": 1, "distribute": 1, "data": 1,
    "datasets": 1,
    "layers": 2,
    "losses": 3, "metrics": 3, "optimizers": 3, "callbacks": 3,
    "saving": 3,
    "engine": 4,
    "models": 5, "testing": 5, "demo": 5, "mixed_precision": 5,
    "__init__": 5, "applications": 5, "preprocessing": 5, "export": 5,
    "debugging": 5, "config": 5, "experimental": 5, "compat": 5,
}

# (importing module, imported package): why the upward import is needed.
ALLOWED = {
    # An op called on KerasTensors records a TFOpLambda node (one mechanism
    # for every op, see ops/dispatch.py).
    ("ops/dispatch.py", "layers"),
    # Reading a tf.keras 2 config resolves TF function names; the TF-names
    # module registers the ops with TF's own semantics
    # (tf.math.reduce_mean keeps integers integral).
    ("ops/dispatch.py", "compat"),
    # tf.keras's K.* crossentropies and activations delegate to the losses
    # and activations they name.
    ("backend/keras_backend.py", "ops"),
    ("backend/keras_backend.py", "activations"),
    # K.placeholder is a symbolic Input.
    ("backend/keras_backend.py", "layers"),
    # K.is_keras_tensor asks whether a value is the graph's KerasTensor.
    ("backend/keras_backend.py", "graph"),
    # K.variable(value, constraint=...) resolves the constraint it names.
    ("backend/keras_backend.py", "constraints"),
    # keras.Variable("zeros", shape=...) resolves the initializer it names,
    # as Keras 3's Variable does.
    ("backend/variables.py", "initializers"),
    # K.function runs a sub-graph as a functional Model (tf.keras 2 does).
    ("backend/keras_backend.py", "engine"),
    # `Layer.add_metric` tracks a `Mean` metric, as tf.keras 2's does.
    ("layers/layer.py", "metrics"),
    # keras.utils re-exports the *_dataset_from_directory builders, which
    # live in preprocessing (they resize with the layers' image kernels);
    # loaded on first use.
    ("utils/__init__.py", "preprocessing"),
    # keras.utils.get_source_inputs walks a KerasTensor's history back to
    # its Inputs (the graph's nodes); loaded on first use.
    ("utils/__init__.py", "graph"),
}


def _package(path):
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and (
                node.module.startswith("torchkeras")):
            parts = node.module.split(".")
            if len(parts) > 1:
                yield parts[1]
            else:
                for alias in node.names:
                    yield alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "torchkeras" and len(parts) > 1:
                    yield parts[1]


def test_dependencies_point_down():
    violations = []
    for path in sorted(ROOT.rglob("*.py")):
        own = _package(path)
        own_rank = RANK.get(own)
        assert own_rank is not None, f"{path}: package {own!r} has no rank"
        source = ast.parse(path.read_text(), filename=str(path))
        for target in set(_imports(source)):
            rank = RANK.get(target)
            if rank is None or target == own:
                continue
            rel = str(path.relative_to(ROOT))
            if rank > own_rank and (rel, target) not in ALLOWED:
                violations.append(f"{rel} imports torchkeras.{target}")
    assert not violations, "\n".join(violations)


# Modules of `layers` the training engine may import: the base class and
# its bookkeeping, and the Keras 1 argument names. A concrete layer's needs
# (an Embedding's index check) reach the trainer through hooks the model
# calls (`_check_data_once`), so the trainer never names a layer class.
TRAINER_MAY_IMPORT = {"torchkeras.layers", "torchkeras.layers.layer",
                      "torchkeras.layers.legacy_interfaces"}


def _modules_imported(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name


def test_the_trainer_knows_no_layer_class():
    engine = ROOT / "engine"
    found = []
    for name in ("trainer.py", "data_adapter.py", "compile_utils.py"):
        tree = ast.parse((engine / name).read_text())
        for module in set(_modules_imported(tree)):
            parts = module.split(".")
            if parts[:2] != ["torchkeras", "layers"]:
                continue
            # `from torchkeras.layers.layer import Layer` names the module
            # and then `...layer.Layer`: judge the module part.
            prefix = ".".join(parts[:3]) if len(parts) > 2 else module
            if prefix not in TRAINER_MAY_IMPORT and not module.startswith(
                    ("torchkeras.layers.layer.",
                     "torchkeras.layers.legacy_interfaces.")):
                found.append(f"engine/{name} imports {module}")
    assert not found, "\n".join(found)
