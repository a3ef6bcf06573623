"""A Python lambda as Keras stores it: marshalled bytecode, base64 text.

Keras 3 writes a ``Lambda``'s lambda as ``{"class_name": "__lambda__",
"config": {"code", "defaults", "closure"}}`` and tf.keras 2 as the list
``[code, defaults, closure]`` next to ``function_type: "lambda"``; ``code``
is ``marshal.dumps(fn.__code__)`` in base64, ``defaults`` the default
argument values and ``closure`` the values of the cells the lambda closes
over. Bytecode only runs on the Python version that wrote it, so we also
store ``python_version`` (a key Keras ignores) and refuse a mismatch with
an error rather than run foreign bytecode. Loading bytecode runs code from
a file: ``Lambda.from_config`` calls ``load`` only outside safe mode.
"""

import base64
import binascii
import dis
import marshal
import sys
import types

PYTHON_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def is_python_lambda(fn):
    """True for a ``lambda`` expression (Keras 3 stores only those as code;
    named functions go by name)."""
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def dump(fn):
    """``{"code", "defaults", "closure", "python_version"}`` for ``fn``."""
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    closure = None
    if fn.__closure__:
        closure = [cell.cell_contents for cell in fn.__closure__]
    defaults = list(fn.__defaults__) if fn.__defaults__ else None
    return {"code": code, "defaults": defaults, "closure": closure,
            "python_version": PYTHON_VERSION}


def is_dumped(spec):
    """True for a stored lambda in either Keras dialect."""
    if isinstance(spec, dict):
        return spec.get("class_name") == "__lambda__"
    return (isinstance(spec, (list, tuple)) and len(spec) == 3
            and isinstance(spec[0], str))


def _default_globals():
    """What a loaded lambda's global names resolve to: the spellings Keras
    programs use (``K.mean``, ``keras.ops.sum``, ``np``)."""
    import numpy
    import torch

    from torchkeras import backend
    from torchkeras import ops

    return {"__builtins__": __builtins__,
            "keras": sys.modules.get("torchkeras"),
            "K": backend, "backend": backend, "ops": ops, "np": numpy,
            "numpy": numpy, "torch": torch}


def _cell(value):
    return (lambda: value).__closure__[0]


def _version_error(layer_name, what, written, reason=""):
    known = f"Python {written}" if written else "an unknown Python version"
    detail = f" ({reason})" if reason else ""
    return ValueError(
        f"Lambda layer '{layer_name}': cannot load the Python bytecode of "
        f"its `{what}`{detail}. It was written by {known} and this is "
        f"Python {PYTHON_VERSION}; marshalled bytecode only loads in the "
        "Python version that wrote it. Load the file with that Python "
        "version, or pass the function as custom_objects="
        f"{{'{layer_name}': fn}}. Received: python_version={written}"
    )


def _check_opcodes(code, layer_name, what, written):
    """Bytecode from another version often decodes to unknown opcodes."""
    try:
        for instruction in dis.get_instructions(code):
            if instruction.opname.startswith("<"):
                raise _version_error(layer_name, what, written,
                                     f"unknown opcode {instruction.opcode}")
    except (IndexError, KeyError, TypeError, ValueError) as e:
        if isinstance(e, ValueError) and "Lambda layer" in str(e):
            raise
        raise _version_error(layer_name, what, written,
                             f"malformed bytecode: {e}") from None
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _check_opcodes(const, layer_name, what, written)


def _unmarshal(text, layer_name, what, written):
    if not isinstance(text, str):
        raise ValueError(
            f"Lambda layer '{layer_name}': its `{what}` should hold base64 "
            f"bytecode text. Received: code={text!r:.80}")
    try:
        raw = base64.decodebytes(text.encode("ascii"))
    except (UnicodeEncodeError, binascii.Error):
        raw = text.encode("raw_unicode_escape")  # Keras 1 wrote it raw
    try:
        code = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise _version_error(layer_name, what, written,
                             f"unreadable marshal data: {e}") from None
    if not isinstance(code, types.CodeType):
        raise _version_error(layer_name, what, written,
                             f"not a code object: {type(code).__name__}")
    return code


def load(spec, layer_name, what, module=None, custom_objects=None):
    """The function a stored lambda holds (runs the file's bytecode).

    Args:
        spec: Keras 3's ``__lambda__`` dict or tf.keras 2's list.
        layer_name: the Lambda layer's name, for messages.
        what: ``function``, ``output_shape`` or ``mask``.
        module: tf.keras 2's ``module`` key: the globals of that module,
            when it is imported, are visible to the function (as tf.keras).
        custom_objects: names added to the function's globals.

    Raises:
        ValueError: when the bytecode is missing or comes from another
            Python version, naming the layer and both versions.
    """
    if isinstance(spec, dict):
        inner = spec.get("config") or {}
        text = inner.get("code")
        defaults, closure = inner.get("defaults"), inner.get("closure")
        written = inner.get("python_version")
    else:
        (text, defaults, closure), written = spec, None
    if written is not None and written != PYTHON_VERSION:
        raise _version_error(layer_name, what, written)
    code = _unmarshal(text, layer_name, what, written)
    _check_opcodes(code, layer_name, what, written)
    if len(closure or ()) != len(code.co_freevars):
        raise _version_error(
            layer_name, what, written,
            f"the code expects {len(code.co_freevars)} closure values, the "
            f"file has {len(closure or ())}")
    scope = _default_globals()
    if module in sys.modules:
        scope.update(vars(sys.modules[module]))
    scope.update(custom_objects or {})
    return types.FunctionType(
        code, scope, name=code.co_name,
        argdefs=tuple(defaults) if defaults is not None else None,
        closure=tuple(_cell(v) for v in closure) if closure else None)
