"""Every public name documents itself: a docstring, its arguments, an
example that runs.

The names are those of ``tests/api/public_api.txt`` (the public surface
test keeps that file current) and every path the registry exports
(``keras.ops.image.*``, the applications' family modules, ...). Each
distinct object (an alias shares its original's docstring) that is a class
or a function must have:

- a docstring whose first line is a summary;
- if it takes named parameters (a class: its constructor's), an ``Args:``
  section with one ``name: description`` entry for each of them
  (``*args``/``**kwargs`` are exempt), and none for a parameter it does
  not take unless it takes ``**kwargs``;
- an ``Examples:`` section (griffe reads a singular ``Example:`` as a
  callout, not code) with ``>>>`` lines, which are
  run here as doctests (in the defining module's globals, with ``keras``
  = ``torchkeras``, ``np`` and ``torch`` added) and must print what the
  docstring says they print.

The sections are read by griffe's Google-style parser, the one the API
reference (``mkdocs build --strict``, ``tox -e docs``) renders them with,
and a docstring it warns about fails here as it would fail the build.
"""

import doctest
import importlib
import inspect
import logging
import pathlib
import sys

import griffe
import numpy as np
import pytest
import torch

import torchkeras

API_FILE = pathlib.Path(__file__).parents[1] / "api" / "public_api.txt"


def _documented_objects():
    """``[(public path, object)]``, one per distinct class or function."""
    from torchkeras.utils import registry

    paths = set(API_FILE.read_text().split())
    paths.update("torch" + path for path in registry.all_public_names())
    seen = set()
    found = []
    for path in sorted(paths):
        module, _, name = path.rpartition(".")
        obj = getattr(importlib.import_module(module), name)
        if inspect.ismodule(obj) or not callable(obj):
            continue
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        found.append((path, obj))
    return found


OBJECTS = _documented_objects()


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _parse(doc):
    """``(sections, warnings)`` of ``doc`` read by griffe's Google-style
    parser, the one the API reference renders with."""
    handler = _Warnings()
    logger = logging.getLogger("griffe")
    logger.addHandler(handler)
    try:
        sections = griffe.Docstring(
            doc, parser="google",
            parser_options={"warn_missing_types": False}).parse()
    finally:
        logger.removeHandler(handler)
    return sections, handler.messages


def _parameters(obj):
    """The named parameters a user passes, or ``None`` if unknowable."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(target)
    except (TypeError, ValueError):
        return None
    params = list(signature.parameters.values())
    if inspect.isclass(obj) and params and params[0].name == "self":
        params = params[1:]
    kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    # A leading underscore marks a parameter callers do not pass.
    return [p.name for p in params
            if p.kind not in kinds and not p.name.startswith("_")]


def _docstring(obj):
    doc = obj.__doc__
    if inspect.isclass(obj) and doc == getattr(obj.__mro__[1], "__doc__",
                                               None) and doc is not None:
        return None  # inherited verbatim: it describes the base class
    return inspect.cleandoc(doc) if doc else None


IDS = [path for path, _ in OBJECTS]


@pytest.mark.parametrize("path,obj", OBJECTS, ids=IDS)
def test_docstring_has_summary_args_and_example(path, obj):
    doc = _docstring(obj)
    assert doc, f"{path} has no docstring of its own"
    summary = doc.splitlines()[0].strip()
    assert summary and not summary.endswith(":"), (
        f"{path}: the first line is not a summary: {summary!r}")
    sections, warnings = _parse(doc)
    assert not warnings, f"{path}: the docstring does not parse: {warnings}"
    kinds = {section.kind.value for section in sections}
    params = _parameters(obj)
    if params:
        assert "parameters" in kinds, (
            f"{path}: no `Args:` section (indented `name: description` "
            f"entries) for {params}")
        documented = [p.name for section in sections
                      if section.kind.value == "parameters"
                      for p in section.value]
        missing = [p for p in params if p not in documented]
        assert not missing, (
            f"{path}: `Args:` leaves out {missing} (one `name:` entry per "
            "parameter)")
        variadic = _variadic(obj)
        extra = [a for a in documented
                 if a not in params and a.lstrip("*") not in variadic]
        assert _takes_kwargs(obj) or not extra, (
            f"{path}: `Args:` documents {extra}, which it does not take")
    assert "examples" in kinds, (
        f"{path}: no `Examples:` section (that heading, plural, then "
        "`>>>` lines indented under it, no blank line between)")


def _variadic(obj):
    """The names of ``*args``/``**kwargs``-style parameters (documenting
    them is allowed, not required)."""
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return {"args", "kwargs"}
    kinds = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return {p.name for p in parameters if p.kind in kinds} | {"args",
                                                              "kwargs"}


def _takes_kwargs(obj):
    target = obj.__init__ if inspect.isclass(obj) else obj
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize("path,obj", OBJECTS, ids=IDS)
def test_examples_run(path, obj, tmp_path, monkeypatch):
    doc = _docstring(obj)
    if not doc or ">>>" not in doc:
        pytest.skip(f"{path} has no example (the other test says so)")
    monkeypatch.chdir(tmp_path)
    torch.manual_seed(0)
    np.random.seed(0)
    torchkeras.utils.set_random_seed(0)
    parser = doctest.DocTestParser()
    module = sys.modules.get(getattr(obj, "__module__", ""), None)
    globs = dict(vars(module)) if module is not None else {}
    globs.update(keras=torchkeras, np=np, torch=torch)
    test = parser.get_doctest(doc, globs, path, None, 0)
    runner = doctest.DocTestRunner(optionflags=_FLAGS, verbose=False)
    out = []
    try:
        result = runner.run(test, out=out.append)
    finally:
        # Fresh layer names for the next example; no garbage collection
        # (67 ms each, a minute over all the examples).
        torchkeras.backend.clear_session(free_memory=False)
    assert result.failed == 0, f"{path}: its example fails:\n" + "".join(out)
