"""Writes the API reference pages at build time (mkdocs-gen-files).

One page per group, grouped as keras.io groups the API; one entry per
public object, under its first public path, with its other paths (aliases)
listed. The paths are the public surface: ``tests/api/public_api.txt`` and
everything the registry exports, the same set ``tests/docs`` checks for
docstrings. A public name that no group claims fails the build, so a new
namespace cannot go undocumented.
"""

import importlib
import inspect
import pathlib

import mkdocs_gen_files

import torchkeras
from torchkeras.utils import registry

ROOT = pathlib.Path(__file__).resolve().parents[1]

# (page, title, intro, namespaces). A namespace claims the names directly
# in it; "torchkeras" is the top level.
GROUPS = [
    ("models", "Models",
     "The model classes, `keras.Input`, and the functions that build, "
     "copy, save and load whole models.",
     ["torchkeras", "torchkeras.models"]),
    ("layers", "Layers",
     "Every layer is a `torch.nn.Module`; the constructor arguments are "
     "tf.keras's.",
     ["torchkeras.layers", "torchkeras.layers.experimental.preprocessing"]),
    ("activations", "Activations", "Activation functions, by name or "
     "object.", ["torchkeras.activations"]),
    ("initializers", "Initializers", "Weight initializers.",
     ["torchkeras.initializers"]),
    ("regularizers", "Regularizers", "Weight regularizers.",
     ["torchkeras.regularizers"]),
    ("constraints", "Constraints", "Weight constraints.",
     ["torchkeras.constraints"]),
    ("losses", "Losses", "Loss classes and functions.",
     ["torchkeras.losses"]),
    ("metrics", "Metrics", "Metric classes and functions.",
     ["torchkeras.metrics"]),
    ("optimizers", "Optimizers",
     "Optimizers with Keras's update rules, and learning-rate schedules.",
     ["torchkeras.optimizers", "torchkeras.optimizers.schedules"]),
    ("callbacks", "Callbacks", "Callbacks for `fit`, `evaluate` and "
     "`predict`.", ["torchkeras.callbacks"]),
    ("saving", "Saving", "Saving and loading models and weights: `.keras`, "
     "tf.keras `.h5`, and the registry of custom objects.",
     ["torchkeras.saving"]),
    ("data", "Data", "`keras.data.Dataset`, the dataset-from-directory "
     "utilities and the bundled datasets.",
     ["torchkeras.data", "torchkeras.preprocessing"]),
    ("utils", "Utilities", "Progress bars, plotting, files, sequences and "
     "serialization helpers.", ["torchkeras.utils"]),
    ("ops", "Ops", "Keras 3's `keras.ops` on torch tensors; on "
     "`KerasTensor`s they record a node of the functional graph.",
     ["torchkeras.ops", "torchkeras.ops.image"]),
    ("backend", "Backend", "tf.keras 2's `keras.backend` (`K.*`) "
     "functions and the global configuration.", ["torchkeras.backend"]),
    ("applications", "Applications",
     "Keras's pretrained architectures, layer for layer.",
     ["torchkeras.applications"]),
    ("mixed_precision", "Mixed precision", "Dtype policies and loss "
     "scaling.", ["torchkeras.mixed_precision"]),
    ("distribute", "Distribution",
     "DistributedDataParallel inside `fit`: launching, ranks and "
     "collectives.", ["torchkeras.distribute"]),
]
# Keras's per-family application modules: their names are aliases of the
# top-level ones, or the family's preprocess_input/decode_predictions.
FAMILY_PREFIX = "torchkeras.applications."
DATASETS = ["mnist", "fashion_mnist", "cifar10", "cifar100", "imdb",
            "reuters", "boston_housing", "digits"]
COMPAT = ["torchkeras.compat.v1.ConfigProto", "torchkeras.compat.v1.Session",
          "torchkeras.compat.v1.keras.backend.set_session"]
# Classes whose public methods are documented with them.
WITH_MEMBERS = {"torchkeras.Model", "torchkeras.Sequential"}


def public_paths():
    paths = set((ROOT / "tests" / "api" / "public_api.txt")
                .read_text().split())
    paths.update("torch" + path for path in registry.all_public_names())
    return sorted(paths)


def resolve(path):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def group_of(path):
    namespace = path.rpartition(".")[0]
    if namespace.startswith(FAMILY_PREFIX):
        namespace = "torchkeras.applications"
    for page, _, _, namespaces in GROUPS:
        if namespace in namespaces:
            return page
    return None


def collect():
    """``{page: [(path, [aliases])]}`` and the unclaimed paths."""
    entries = {page: {} for page, _, _, _ in GROUPS}
    first_path = {}
    unclaimed = []
    for path in public_paths():
        obj = resolve(path)
        if inspect.ismodule(obj):
            continue
        page = group_of(path)
        if page is None:
            unclaimed.append(path)
            continue
        if not callable(obj):
            continue  # constants: named in the page's text
        key = id(obj)
        if key in first_path:
            owner_page, owner = first_path[key]
            entries[owner_page][owner].append(path)
            continue
        first_path[key] = (page, path)
        entries[page][path] = []
    return entries, unclaimed


def public(path):
    return "keras" + path[len("torchkeras"):]


def entry(path, aliases):
    lines = [f"## `{public(path)}`", ""]
    if aliases:
        names = ", ".join(f"`{public(a)}`" for a in sorted(aliases))
        lines += [f"Also available as {names}.", ""]
    lines += [f"::: {path}", "    options:", "      show_root_heading: false",
              "      show_root_toc_entry: false", "      heading_level: 3"]
    if path not in WITH_MEMBERS:
        lines.append("      members: false")
    return lines + [""]


def write_pages():
    entries, unclaimed = collect()
    if unclaimed:
        raise RuntimeError(
            "These public names belong to no page of docs/gen_api_pages.py "
            f"GROUPS; add their namespace to a group: {unclaimed}")
    nav = ["# API reference", "",
           "Every public name of torchkeras, grouped as the Keras "
           "documentation groups them. `keras` stands for `torchkeras` "
           "(`import torchkeras as keras`).", ""]
    for page, title, intro, _ in GROUPS:
        items = entries[page]
        lines = [f"# {title}", "", intro, ""]
        if page == "data":
            lines += datasets_section()
        for path in sorted(items, key=lambda p: p.lower()):
            lines += entry(path, items[path])
        with mkdocs_gen_files.open(f"api/{page}.md", "w") as f:
            f.write("\n".join(lines))
        nav.append(f"- [{title}]({page}.md): {len(items)} names")
    compat = ["# Compat", "",
              "tf 1.x spellings that tf.keras programs still use: "
              "`keras.compat.v1`.", ""]
    for path in COMPAT:
        compat += entry(path, [])
    compat += tf_section()
    with mkdocs_gen_files.open("api/compat.md", "w") as f:
        f.write("\n".join(compat))
    nav.append("- [Compat](compat.md)")
    with mkdocs_gen_files.open("api/index.md", "w") as f:
        f.write("\n".join(nav) + "\n")


def tf_section():
    """``torchkeras.compat.tf``: its module docstring and its names."""
    import torchkeras.compat.tf as tf

    names = sorted(n for n in dir(tf) if not n.startswith("_"))
    return ["## `import torchkeras.compat.tf as tf`", "",
            "::: torchkeras.compat.tf", "    options:",
            "      show_root_heading: false",
            "      show_root_toc_entry: false", "      members: false", "",
            "Its names: " + ", ".join(f"`tf.{n}`" for n in names) + ".",
            ""]


def datasets_section():
    lines = ["## Bundled and downloadable datasets", "",
             "Each module has tf.keras's `load_data`.", ""]
    for name in DATASETS:
        lines += [f"### `keras.datasets.{name}.load_data`", "",
                  f"::: torchkeras.datasets.{name}.load_data",
                  "    options:", "      show_root_heading: false",
                  "      show_root_toc_entry: false", "      heading_level: 4",
                  ""]
    return lines


assert torchkeras.__version__
write_pages()
