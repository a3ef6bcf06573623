"""Every public name of Keras 3's ``keras.applications`` (and of each of
its family modules) exists in ``torchkeras.applications``."""

import importlib
import json

import torchkeras


def test_every_keras_applications_name_is_here(keras_oracle):
    names = json.loads(keras_oracle("""
        import json, types
        import keras
        out = {}
        root = keras.applications
        for name in dir(root):
            if name.startswith("_"):
                continue
            value = getattr(root, name)
            if isinstance(value, types.ModuleType):
                out[name] = sorted(n for n in dir(value)
                                   if not n.startswith("_"))
            else:
                out.setdefault("", []).append(name)
        print(json.dumps(out))
    """))
    constructors = names.pop("")
    assert len(constructors) >= 40 and len(names) >= 15  # Keras 3.x
    missing = [name for name in constructors
               if not hasattr(torchkeras.applications, name)]
    for module_name, members in names.items():
        module = importlib.import_module(
            f"torchkeras.applications.{module_name}")
        missing += [f"{module_name}.{member}" for member in members
                    if not hasattr(module, member)]
    assert missing == []


def test_every_constructor_takes_keras_arguments_and_defaults(keras_oracle):
    import inspect

    signatures = json.loads(keras_oracle("""
        import inspect, json
        import keras
        out = {}
        for name in dir(keras.applications):
            fn = getattr(keras.applications, name)
            if name[:1].isupper() and callable(fn):
                out[name] = [[p.name, repr(p.default)] for p in
                             inspect.signature(fn).parameters.values()]
        print(json.dumps(out))
    """))
    assert len(signatures) >= 40
    different = {}
    for name, expected in signatures.items():
        fn = getattr(torchkeras.applications, name)
        ours = [[p.name, repr(p.default)]
                for p in inspect.signature(fn).parameters.values()]
        if ours != expected:
            different[name] = (ours, expected)
    assert different == {}
