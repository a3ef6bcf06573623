"""The public-name registry (``torchkeras/utils/registry.py``) and the
lookup helpers each family's ``get``/``deserialize`` is made of."""

import sys
import textwrap

import pytest

import torchkeras
from torchkeras.utils import registry
from torchkeras.utils import serialization


@pytest.fixture
def scratch(monkeypatch):
    """A copy of the table, so what a test registers leaves no trace."""
    monkeypatch.setattr(registry, "_BY_PATH", dict(registry._BY_PATH))
    monkeypatch.setattr(registry, "_BY_NAMESPACE", {
        k: dict(v) for k, v in registry._BY_NAMESPACE.items()})
    monkeypatch.setattr(registry, "_PATHS", {
        k: list(v) for k, v in registry._PATHS.items()})


def test_aliases_share_one_object_and_the_first_path_is_canonical(scratch):
    @registry.keras_export("keras.scratch.Thing", "keras.scratch.thing")
    class Thing:
        pass

    objects = registry.objects_in("keras.scratch")
    assert dict(objects) == {"Thing": Thing, "thing": Thing}
    assert registry.unique_objects_in("keras.scratch") == (Thing,)
    assert registry.public_paths(Thing) == ("keras.scratch.Thing",
                                            "keras.scratch.thing")
    assert "keras.scratch.thing" in registry.all_public_names()
    with pytest.raises(TypeError):
        objects["Other"] = Thing  # a read-only view


def test_registering_twice_is_harmless_and_a_clash_is_named(scratch):
    def fn():
        pass

    registry.keras_export("keras.scratch.fn")(fn)
    registry.keras_export("keras.scratch.fn")(fn)
    assert registry.public_paths(fn) == ("keras.scratch.fn",)

    def other():
        pass

    with pytest.raises(ValueError, match=r"keras\.scratch\.fn.*taken.*fn"):
        registry.keras_export("keras.scratch.fn")(other)
    with pytest.raises(ValueError, match="path='layers.Dense'"):
        registry.keras_export("layers.Dense")


def test_a_reloaded_definition_replaces_the_old_one(scratch):
    def make():
        class Thing:
            pass
        Thing.__module__ = "scratch_module"
        return Thing

    old, new = make(), make()
    registry.keras_export("keras.scratch.Thing", "keras.scratch.T")(old)
    registry.keras_export("keras.scratch.Thing", "keras.scratch.T")(new)
    assert dict(registry.objects_in("keras.scratch")) == {
        "Thing": new, "T": new}
    assert registry.public_paths(old) == ()


def test_export_into_binds_names_and_refuses_a_competing_one(scratch):
    def fn():
        pass

    registry.keras_export("keras.scratch.fn")(fn)
    namespace = {"__name__": "scratch"}
    registry.export_into(namespace, "keras.scratch")
    assert namespace["fn"] is fn
    namespace["fn"] = print
    with pytest.raises(ValueError, match=r"keras\.scratch\.fn.*builtins"):
        registry.export_into(namespace, "keras.scratch")


def test_import_submodules_runs_every_public_module(tmp_path, monkeypatch,
                                                     scratch):
    package = tmp_path / "regpkg"
    (package / "sub").mkdir(parents=True)
    (package / "_private").mkdir()
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "later").mkdir()
    (package / "later" / "__init__.py").write_text("")
    decorated = textwrap.dedent("""
        from torchkeras.utils.registry import keras_export

        @keras_export("keras.scratch.{name}")
        def {name}():
            pass
    """)
    (package / "a.py").write_text(decorated.format(name="a"))
    (package / "sub" / "b.py").write_text(decorated.format(name="b"))
    (package / "lazy.py").write_text(decorated.format(name="lazy"))
    (package / "later" / "c.py").write_text(decorated.format(name="c"))
    (package / "_hidden.py").write_text(decorated.format(name="hidden"))
    (package / "_private" / "__init__.py").write_text(
        decorated.format(name="private"))
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        import regpkg

        registry.import_submodules("regpkg", regpkg.__path__,
                                   skip=("lazy", "later"))
        assert sorted(registry.objects_in("keras.scratch")) == ["a", "b"]
    finally:
        for name in [m for m in sys.modules if m.startswith("regpkg")]:
            del sys.modules[name]


def test_name_table_adds_snake_case_and_aliases_after_public_names(scratch):
    @registry.keras_export("keras.scratch.MaxNorm", "keras.scratch.cap")
    class MaxNorm:
        pass

    @registry.keras_export("keras.scratch.max_norm")
    def max_norm():
        pass

    table = serialization.name_table("keras.scratch", snake_case=True,
                                     aliases={"maxnorm": "MaxNorm"})
    # The public `max_norm` wins over the class's snake-case name.
    assert table == {"MaxNorm": MaxNorm, "cap": MaxNorm,
                     "max_norm": max_norm, "maxnorm": MaxNorm}
    classes = serialization.name_table("keras.scratch", snake_case=True,
                                       classes_only=True)
    assert classes["max_norm"] is MaxNorm


def test_get_from_identifier_follows_each_kind_of_identifier():
    class Thing:
        def __call__(self):
            return 1

    def deserialize(identifier):
        return {"thing": Thing, "fn": len}[identifier]

    get = serialization.get_from_identifier
    assert get(None, deserialize, error="E.", default=len) is len
    assert isinstance(get("thing", deserialize, error="E."), Thing)
    assert get("thing", deserialize, error="E.", instantiate=False) is Thing
    assert get("fn", deserialize, error="E.") is len
    with pytest.raises(ValueError, match=r"^E\. Received: identifier=3$"):
        get(3, deserialize, error="E.")


def test_layers_deserialize_finds_the_models_through_the_registry():
    model = torchkeras.Sequential(
        [torchkeras.Input((3,)), torchkeras.layers.Dense(2)])
    revived = torchkeras.layers.deserialize(
        torchkeras.layers.serialize(model))
    assert type(revived) is torchkeras.Sequential
    assert [type(l).__name__ for l in revived.layers] == ["Dense"]
    inputs = torchkeras.Input((3,))
    functional = torchkeras.Model(inputs, torchkeras.layers.Dense(2)(inputs))
    revived = torchkeras.layers.deserialize(
        torchkeras.layers.serialize(functional))
    assert isinstance(revived, torchkeras.models.Functional)
    with pytest.raises(ValueError, match="Unknown layer: 'InputSpec'"):
        # A registered layers name that is not a layer is not built.
        torchkeras.layers.deserialize({"class_name": "InputSpec",
                                       "config": {}})
