"""The guides in ``docs/guides`` run as they are written.

For each page the fenced code blocks whose language is ``python`` are taken
in order and run with ``exec`` in one namespace (a later block sees what an
earlier one defined), in a fresh temporary working directory, after
``keras.backend.clear_session()`` and ``keras.utils.set_random_seed(0)``.
A traceback names the page and its line. ``assert`` statements inside the
blocks are the checks (the loss fell, the loaded model predicts the same
numbers, ...); the rest of a page is prose.

Convention for code that cannot run here: a block that needs ``torchrun``,
a GPU, the network or several processes uses the fence language ``py``
instead of ``python``. MkDocs highlights it as Python all the same, and
this test skips it; keep such blocks few. ``bash`` blocks are never run.
One ``py`` block is run another way: the multi-GPU page's ``train.py``
runs under ``torchrun`` as two gloo processes on the CPU, as that page
says it can (about 10 s; marked slow).

The home page's (``docs/index.md``) code runs the same way. Also checked:
the set of pages is the expected eight, each page has at
least one ``python`` block, no ``python`` fence is indented (an indented
block would be skipped silently), and every relative link in a page points
to an existing file under ``docs/`` (the API pages are generated when the
site is built, so guides do not link them) and, with an ``#anchor``, to
one of that page's headings.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

import torchkeras as keras

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
GUIDES = DOCS / "guides"
GOLDEN = ROOT / "tests" / "saving" / "golden"

PAGES = (
    "getting_started.md",
    "functional_api.md",
    "custom_training.md",
    "saving.md",
    "multi_gpu.md",
    "migrating_from_tf_keras.md",
    "migrating_from_keras3.md",
    "differences.md",
)

# Files a page reads, copied into its working directory first: the saving
# guide loads models that Keras 3 and tf.keras 2 wrote.
PAGE_FILES = {
    "saving.md": (GOLDEN / "keras3_conv.keras", GOLDEN / "keras3_conv_io.npz",
                  GOLDEN / "tfkeras_conv.h5", GOLDEN / "tfkeras_conv_io.npz"),
}

_FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$",
                    re.MULTILINE | re.DOTALL)
_LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _blocks(text):
    """``[(language, first line number, code)]`` of the fenced blocks."""
    found = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start(2)) + 1
        found.append((match.group(1), line, match.group(2)))
    return found


def _python_blocks(path):
    return [(line, code) for language, line, code
            in _blocks(path.read_text()) if language == "python"]


def _anchors(path):
    """The ids MkDocs gives the headings of a page (Python-Markdown's
    default slugify: inline code unwrapped, punctuation dropped)."""
    anchors = set()
    prose = _FENCE.sub("", path.read_text())
    for heading in re.findall(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", prose,
                              re.MULTILINE):
        slug = re.sub(r"[^\w\s-]", "", heading.replace("`", ""))
        anchors.add(re.sub(r"[-\s]+", "-", slug.strip().lower()))
    return anchors


def test_the_guides_are_the_expected_pages():
    assert sorted(p.name for p in GUIDES.glob("*.md")) == sorted(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_page_structure(page):
    text = (GUIDES / page).read_text()
    assert _python_blocks(GUIDES / page), f"{page} has no python block"
    indented = [n + 1 for n, line in enumerate(text.splitlines())
                if line.lstrip().startswith("```python")
                and not line.startswith("```python")]
    assert not indented, f"{page}: indented python fences at {indented}"


@pytest.mark.parametrize("page", PAGES)
def test_relative_links_point_to_files(page):
    text = (GUIDES / page).read_text()
    # Links inside code blocks are code, not links.
    prose = _FENCE.sub("", text)
    for target in _LINK.findall(prose):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):
            continue
        if target.startswith("#"):
            target = page + target
        path, _, anchor = target.partition("#")
        resolved = (GUIDES / path).resolve()
        assert resolved.is_file(), f"{page}: broken link {target}"
        assert DOCS.resolve() in resolved.parents, (
            f"{page}: link {target} leaves docs/")
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), (
                f"{page}: no heading for the anchor of {target}")


@pytest.fixture
def page_globals(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    yield {"__name__": "__guide__"}
    keras.mixed_precision.set_global_policy(None)
    keras.backend.set_image_data_format("channels_last")
    keras.backend.clear_session()


@pytest.mark.parametrize("page", PAGES)
def test_page_code_runs(page, page_globals, tmp_path):
    for source in PAGE_FILES.get(page, ()):
        shutil.copy(source, tmp_path / source.name)
    path = GUIDES / page
    for line, code in _python_blocks(path):
        # Numbered as in the page: a traceback shows the block's lines.
        compiled = compile(code, str(path), "exec")
        exec(compiled.replace(co_firstlineno=line), page_globals)
    assert os.getcwd() == str(tmp_path)


def test_home_page_code_runs(page_globals):
    path = DOCS / "index.md"
    blocks = _python_blocks(path)
    assert blocks, "docs/index.md shows no code"
    for line, code in blocks:
        compiled = compile(code, str(path), "exec")
        exec(compiled.replace(co_firstlineno=line), page_globals)


@pytest.mark.slow
def test_multi_gpu_script_runs_under_torchrun(tmp_path):
    scripts = [code for language, _, code
               in _blocks((GUIDES / "multi_gpu.md").read_text())
               if language == "py" and code.startswith("# train.py")]
    assert len(scripts) == 1
    (tmp_path / "train.py").write_text(scripts[0])
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR",
                "MASTER_PORT"):
        env.pop(key, None)
    result = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run",
         "--nproc_per_node=2", "--rdzv-backend=c10d",
         "--rdzv-endpoint=127.0.0.1:0", "train.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-3000:]
    # One progress bar and one result line: rank 0 prints, rank 1 not.
    assert result.stdout.count("Epoch 1/5") == 1, result.stdout
    assert result.stdout.count("accuracy 0.") == 1, result.stdout
    assert (tmp_path / "model.keras").is_file()  # written by rank 0
