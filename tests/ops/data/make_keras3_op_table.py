"""Writes torchkeras/ops/keras3_table.py from an installed Keras 3.

For every public ``keras.ops`` function it records the operation class
Keras 3 serializes it as (its name and module) and how that class splits
the function's arguments: constructor arguments (written in the layer's
``config``) and call arguments (written in ``inbound_nodes``). Run it with
the Python of a Keras 3 install::

    KERAS_BACKEND=jax python tests/ops/data/make_keras3_op_table.py
"""

import importlib
import inspect
import pathlib
import pprint

import keras
from keras.src.ops.operation import Operation

SUBMODULES = ("numpy", "nn", "math", "linalg", "image", "core")
OUT = (pathlib.Path(__file__).resolve().parents[3] / "torchkeras" / "ops"
       / "keras3_table.py")


def _params(fn):
    return tuple(p.name for p in inspect.signature(fn).parameters.values()
                 if p.name not in ("self", "name")
                 and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))


def main():
    classes = {}
    for sub in SUBMODULES:
        module = importlib.import_module(f"keras.src.ops.{sub}")
        for cls_name, cls in vars(module).items():
            if (isinstance(cls, type) and issubclass(cls, Operation)
                    and cls.__module__ == module.__name__):
                classes.setdefault(cls_name.lower(), (sub, cls_name, cls))
    table = {}
    namespaces = {"": keras.ops}
    for sub in ("numpy", "nn", "math", "linalg", "image", "core"):
        if hasattr(keras.ops, sub):
            namespaces[sub] = getattr(keras.ops, sub)
    for prefix, namespace in namespaces.items():
        for fn_name in dir(namespace):
            fn = getattr(namespace, fn_name)
            if fn_name.startswith("_") or not inspect.isfunction(fn):
                continue
            key = f"{prefix}.{fn_name}" if prefix else fn_name
            if prefix and fn_name in table:
                continue  # also a top-level keras.ops name: listed there
            entry = classes.get(fn_name.replace("_", ""))
            if entry is None:
                table[key] = (None, None, _params(fn), ())
                continue
            sub, cls_name, cls = entry
            table[key] = (cls_name, sub, _params(cls.__init__),
                          _params(cls.call))
    header = (
        '"""Keras 3 operation classes of the ``keras.ops`` functions.\n\n'
        "Data written by ``tests/ops/data/make_keras3_op_table.py`` from "
        f"Keras {keras.__version__}:\n``name: (class_name, module under "
        "keras.src.ops, init args, call args)``;\nclass_name is None where "
        'Keras 3 writes no operation class.\n"""\n\n'
    )
    body = "KERAS3_OPS = " + pprint.pformat(table, width=79) + "\n"
    OUT.write_text(header + body)
    print(f"wrote {len(table)} entries to {OUT}")


if __name__ == "__main__":
    main()
