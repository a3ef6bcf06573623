"""`text_dataset_from_directory` and `image_dataset_from_directory`.

References: directory trees written here with hand-known contents (texts,
PNG pixels), the file order and split Keras documents (classes sorted,
files walked in sorted order, paths and labels shuffled by
``np.random.RandomState(seed)``, the last ``int(split * n)`` files for
validation) recomputed with NumPy, Keras 3's own `index_directory` run in
the oracle Python when `TORCHKERAS_KERAS_PYTHON` is set, a NumPy bilinear
resize with TF's half-pixel centers, and a text classifier that learns.
"""

import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib

import numpy as np
import pytest
import torch

import torchkeras as keras

TEXTS = {
    "neg": {"n0.txt": b"bad film", "n1.txt": b"awful plot",
            "n2.txt": b"boring and bad", "n3.txt": b"terrible acting"},
    "pos": {"p0.txt": b"great film", "p1.txt": b"lovely plot",
            "p2.txt": b"great and fun", "p3.txt": b"superb acting",
            "p4.txt": b"fun fun"},
}


def write_tree(root, tree):
    for cls, files in tree.items():
        os.makedirs(root / cls, exist_ok=True)
        for name, content in files.items():
            (root / cls / name).write_bytes(content)
    return str(root)


def sorted_files(root, tree):
    """(path, label) in Keras's unshuffled order."""
    out = []
    for label, cls in enumerate(sorted(tree)):
        for name in sorted(tree[cls]):
            out.append((os.path.join(root, cls, name), label))
    return out


def keras_order(root, tree, seed):
    """Keras's shuffled order: two RandomState(seed) shuffles."""
    pairs = sorted_files(root, tree)
    paths = [p for p, _ in pairs]
    labels = np.array([lab for _, lab in pairs], dtype="int32")
    np.random.RandomState(seed).shuffle(paths)
    np.random.RandomState(seed).shuffle(labels)
    return paths, labels


def read(path):
    with open(path, "rb") as f:
        return f.read()


def collect(ds):
    xs, ys = [], []
    for x, y in ds:
        xs.extend(x.numpy().tolist())
        ys.extend(y.tolist())
    return xs, ys


# ---------------------------------------------------------------------------
# Text.


def test_text_inferred_labels_in_sorted_order(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    ds = keras.utils.text_dataset_from_directory(
        root, batch_size=4, shuffle=False, verbose=False)
    assert ds.class_names == ["neg", "pos"]
    assert isinstance(ds, keras.data.Dataset)
    batches = list(ds)
    assert [len(y) for _, y in batches] == [4, 4, 1]
    texts, labels = collect(ds)
    expected = sorted_files(root, TEXTS)
    assert texts == [read(p) for p, _ in expected]
    assert labels == [lab for _, lab in expected]
    assert batches[0][1].dtype == torch.int32
    assert tuple(batches[0][1].shape) == (4,)


def test_text_batches_convert_to_bytes_like_tf(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    ds = keras.utils.text_dataset_from_directory(
        root, batch_size=3, shuffle=False, verbose=False)
    texts, _ = next(iter(ds))
    array = texts.numpy()
    assert type(array) is np.ndarray and array.dtype == object
    assert array.shape == (3,)
    assert array[0] == b"bad film" and type(array[0]) is bytes
    single = keras.utils.text_dataset_from_directory(
        root, batch_size=None, shuffle=False, label_mode=None,
        verbose=False)
    first = next(iter(single))
    assert first.shape == () and first.numpy() == b"bad film"


def test_text_strings_from_tensor_slices_also_convert_to_bytes():
    ds = keras.data.Dataset.from_tensor_slices(["héllo", "b"]).batch(2)
    assert next(iter(ds)).numpy().tolist() == ["héllo".encode(), b"b"]


@pytest.mark.parametrize("label_mode,dtype,shape", [
    ("int", torch.int32, (9,)),
    ("categorical", torch.float32, (9, 2)),
    ("binary", torch.float32, (9, 1)),
])
def test_text_label_modes(tmp_path, label_mode, dtype, shape):
    root = write_tree(tmp_path, TEXTS)
    ds = keras.utils.text_dataset_from_directory(
        root, batch_size=16, shuffle=False, label_mode=label_mode,
        verbose=False)
    _, labels = next(iter(ds))
    assert labels.dtype == dtype and tuple(labels.shape) == shape
    ints = [lab for _, lab in sorted_files(root, TEXTS)]
    if label_mode == "categorical":
        np.testing.assert_array_equal(labels.numpy(), np.eye(2)[ints])
    else:
        np.testing.assert_array_equal(labels.numpy().reshape(-1), ints)


def test_text_without_labels(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    ds = keras.preprocessing.text_dataset_from_directory(
        root, label_mode=None, batch_size=100, shuffle=False, verbose=False)
    assert ds.class_names is None
    batch = next(iter(ds))
    assert batch.shape == (9,)


def test_text_class_names_choose_and_order_classes(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    ds = keras.utils.text_dataset_from_directory(
        root, class_names=["pos", "neg"], batch_size=100, shuffle=False,
        verbose=False)
    texts, labels = collect(ds)
    assert ds.class_names == ["pos", "neg"]
    assert texts[0] == b"great film" and labels[:5] == [0] * 5
    assert labels[5:] == [1] * 4
    only = keras.utils.text_dataset_from_directory(
        root, class_names=["pos"], batch_size=100, verbose=False, seed=1)
    assert sorted(collect(only)[1]) == [0] * 5
    with pytest.raises(ValueError, match="class_names"):
        keras.utils.text_dataset_from_directory(
            root, class_names=["pos", "other"], verbose=False)


def test_text_explicit_labels_and_max_length(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    given = [3, 1, 4, 1, 5, 9, 2, 6, 5]
    ds = keras.utils.text_dataset_from_directory(
        root, labels=given, batch_size=100, shuffle=False, max_length=4,
        verbose=False)
    texts, labels = collect(ds)
    assert labels == given
    assert ds.class_names == ["1", "2", "3", "4", "5", "6", "9"]
    assert texts[:3] == [b"bad ", b"awfu", b"bori"]
    with pytest.raises(ValueError, match="lengths of `labels`"):
        keras.utils.text_dataset_from_directory(root, labels=[0, 1],
                                                verbose=False)


def test_text_shuffle_and_split_follow_keras_rule(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    paths, labels = keras_order(root, TEXTS, seed=42)
    train, val = keras.utils.text_dataset_from_directory(
        root, batch_size=2, seed=42, validation_split=0.34, subset="both",
        verbose=False)
    num_val = int(0.34 * 9)
    assert train.file_paths == paths[:-num_val]
    assert val.file_paths == paths[-num_val:]
    # The validation half is not shuffled: it reads in file_paths order.
    texts, val_labels = collect(val)
    assert texts == [read(p) for p in paths[-num_val:]]
    assert val_labels == labels[-num_val:].tolist()
    # The training half is reshuffled each epoch, with the same files.
    epoch1 = collect(train)
    epoch2 = collect(train)
    expected = sorted(zip([read(p) for p in paths[:-num_val]],
                          labels[:-num_val].tolist()))
    assert sorted(zip(*epoch1)) == expected == sorted(zip(*epoch2))
    single = keras.utils.text_dataset_from_directory(
        root, seed=42, validation_split=0.34, subset="training",
        verbose=False)
    assert single.file_paths == train.file_paths


def test_text_same_seed_same_order(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    make = lambda: keras.utils.text_dataset_from_directory(  # noqa: E731
        root, batch_size=2, seed=3, verbose=False)
    assert collect(make()) == collect(make())


def test_split_matches_keras_index_directory(tmp_path):
    python = os.environ.get("TORCHKERAS_KERAS_PYTHON")
    if not python:
        pytest.skip("set TORCHKERAS_KERAS_PYTHON to a Python with Keras 3 "
                    "to compare with Keras's index_directory")
    tree = {f"c{k}": {f"f{i:02d}.txt": b"x" for i in range(7 + k)}
            for k in range(3)}
    root = write_tree(tmp_path, tree)
    os.makedirs(tmp_path / "c1" / "sub")
    (tmp_path / "c1" / "sub" / "deep.txt").write_bytes(b"y")
    (tmp_path / "c0" / "skip.md").write_bytes(b"z")
    (tmp_path / ".hidden").mkdir()
    script = textwrap.dedent(f"""
        import json
        from keras.src.utils import dataset_utils as du
        paths, labels, names = du.index_directory(
            {root!r}, "inferred", formats=(".txt",), shuffle=True, seed=11,
            verbose=False)
        out = {{"names": names}}
        for subset in ("training", "validation"):
            p, lab = du.get_training_or_validation_split(
                paths, labels, 0.25, subset)
            out[subset] = [p, [int(v) for v in lab]]
        print(json.dumps(out))
    """)
    result = subprocess.run([python, "-c", script], capture_output=True,
                            text=True, check=True,
                            env={**os.environ, "KERAS_BACKEND": "jax"})
    expected = json.loads(result.stdout.strip().splitlines()[-1])
    train, val = keras.utils.text_dataset_from_directory(
        root, batch_size=None, seed=11, validation_split=0.25,
        subset="both", verbose=False)
    assert train.class_names == expected["names"]
    for ds, subset in ((train, "training"), (val, "validation")):
        paths, labels = expected[subset]
        assert ds.file_paths == paths
        if subset == "validation":
            assert [int(y) for _, y in ds] == labels


def test_follow_links(tmp_path):
    root = write_tree(tmp_path / "data", TEXTS)
    outside = tmp_path / "extra"
    outside.mkdir()
    (outside / "x.txt").write_bytes(b"linked")
    os.symlink(outside, tmp_path / "data" / "pos" / "link")
    count = lambda **kw: len(collect(  # noqa: E731
        keras.utils.text_dataset_from_directory(
            root, batch_size=100, shuffle=False, verbose=False, **kw))[0])
    assert count() == 9
    assert count(follow_links=True) == 10


def test_argument_errors(tmp_path):
    root = write_tree(tmp_path, TEXTS)
    make = keras.utils.text_dataset_from_directory
    with pytest.raises(ValueError, match="`validation_split` must be set"):
        make(root, subset="training", verbose=False)
    with pytest.raises(ValueError, match="seed"):
        make(root, validation_split=0.2, subset="training", verbose=False)
    with pytest.raises(ValueError, match="between 0 and 1"):
        make(root, validation_split=1.5, subset="training", seed=1,
             verbose=False)
    with pytest.raises(ValueError, match="label_mode"):
        make(root, label_mode="sparse", verbose=False)
    with pytest.raises(ValueError, match="`labels` argument"):
        make(root, labels="folders", verbose=False)
    (tmp_path / "third").mkdir()
    (tmp_path / "third" / "t.txt").write_bytes(b"t")
    with pytest.raises(ValueError, match="exactly 2"):
        make(root, label_mode="binary", verbose=False)
    empty = tmp_path / "empty"
    (empty / "a").mkdir(parents=True)
    with pytest.raises(ValueError, match="No text files"):
        make(str(empty), verbose=False)


def test_verbose_prints_counts(tmp_path, capsys):
    root = write_tree(tmp_path, TEXTS)
    keras.utils.text_dataset_from_directory(root, seed=1,
                                            validation_split=0.2,
                                            subset="validation")
    out = capsys.readouterr().out
    assert "Found 9 files belonging to 2 classes." in out
    assert "Using 1 files for validation." in out


def test_text_classifier_learns_from_directory(tmp_path):
    rng = np.random.default_rng(0)
    good, bad = ["great", "fun", "superb", "lovely"], ["bad", "awful",
                                                     "boring", "dull"]
    neutral = ["the", "film", "plot", "was", "and", "a"]
    tree = {"neg": {}, "pos": {}}
    for i in range(60):
        for cls, words in (("neg", bad), ("pos", good)):
            doc = list(rng.choice(neutral, 4)) + list(rng.choice(words, 2))
            rng.shuffle(doc)
            tree[cls][f"{i}.txt"] = " ".join(doc).encode()
    root = write_tree(tmp_path, tree)
    train = keras.utils.text_dataset_from_directory(
        root, batch_size=16, seed=5, verbose=False)
    vectorize = keras.layers.TextVectorization(
        max_tokens=50, output_sequence_length=8)
    vectorize.adapt(train.map(lambda text, label: text))
    assert "great" in vectorize.get_vocabulary()
    model = keras.Sequential([
        keras.Input(shape=(1,), dtype="string"),
        vectorize,
        keras.layers.Embedding(50, 8),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=8, verbose=0)
    losses = history.history["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert history.history["accuracy"][-1] > 0.9


# ---------------------------------------------------------------------------
# Images.


def write_png(path, pixels):
    """An 8-bit PNG of uint8 ``(h, w, c)`` pixels, c in 1-4 (filter 0)."""
    pixels = np.asarray(pixels, np.uint8)
    height, width, channels = pixels.shape
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    raw = b"".join(b"\x00" + pixels[y].tobytes() for y in range(height))

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def image_tree(root, shape=(4, 6, 3), per_class=(3, 2)):
    """Two classes of random images; returns {path: pixels}."""
    rng = np.random.default_rng(1)
    images = {}
    for cls, count in zip(("cats", "dogs"), per_class):
        os.makedirs(root / cls, exist_ok=True)
        for i in range(count):
            pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
            path = str(root / cls / f"img{i}.png")
            write_png(path, pixels)
            images[path] = pixels
    (root / "cats" / "notes.txt").write_bytes(b"not an image")
    return images


def numpy_bilinear(image, height, width):
    """TF's `resize` (bilinear, half-pixel centers, no antialias)."""
    in_h, in_w = image.shape[:2]

    def axis(out, size):
        src = np.maximum((np.arange(out) + 0.5) * size / out - 0.5, 0)
        lo = np.minimum(np.floor(src).astype(int), size - 1)
        hi = np.minimum(lo + 1, size - 1)
        return lo, hi, src - lo

    y0, y1, fy = axis(height, in_h)
    x0, x1, fx = axis(width, in_w)
    img = image.astype(np.float64)
    top = img[y0][:, x0] * (1 - fx)[:, None] + img[y0][:, x1] * fx[:, None]
    bot = img[y1][:, x0] * (1 - fx)[:, None] + img[y1][:, x1] * fx[:, None]
    return top * (1 - fy)[:, None, None] + bot * fy[:, None, None]


@pytest.fixture(params=["builtin", "pillow"])
def decoder(request, monkeypatch):
    """Runs a test with the built-in PNG reader and with Pillow."""
    if request.param == "pillow":
        pytest.importorskip("PIL")
    else:
        monkeypatch.setitem(sys.modules, "PIL", None)
    return request.param


def test_image_pixels_labels_and_paths(tmp_path, decoder):
    images = image_tree(tmp_path)
    ds = keras.utils.image_dataset_from_directory(
        str(tmp_path), image_size=(4, 6), batch_size=2, shuffle=False,
        verbose=False)
    assert ds.class_names == ["cats", "dogs"]
    assert ds.file_paths == sorted(images)
    batches = list(ds)
    assert [tuple(x.shape) for x, _ in batches] == [(2, 4, 6, 3)] * 2 + [
        (1, 4, 6, 3)]
    x = torch.cat([b[0] for b in batches])
    y = torch.cat([b[1] for b in batches])
    assert x.dtype == torch.float32 and y.dtype == torch.int32
    np.testing.assert_array_equal(
        x.numpy(), np.stack([images[p] for p in sorted(images)]))
    assert y.tolist() == [0, 0, 0, 1, 1]


def test_image_bilinear_resize_matches_tf_rule(tmp_path, decoder):
    images = image_tree(tmp_path, shape=(5, 7, 3))
    for size in [(3, 4), (8, 11), (5, 3)]:
        ds = keras.preprocessing.image_dataset_from_directory(
            str(tmp_path), image_size=size, batch_size=None, shuffle=False,
            label_mode=None, verbose=False)
        for path, image in zip(ds.file_paths, ds):
            np.testing.assert_allclose(
                image.numpy(), numpy_bilinear(images[path], *size),
                rtol=1e-5, atol=1e-3)


def test_image_nearest_picks_half_pixel_centers(tmp_path):
    images = image_tree(tmp_path, shape=(4, 4, 1), per_class=(1, 1))
    ds = keras.utils.image_dataset_from_directory(
        str(tmp_path), image_size=(2, 2), color_mode="grayscale",
        interpolation="nearest", shuffle=False, verbose=False)
    x, _ = next(iter(ds))
    first = images[ds.file_paths[0]][..., 0]
    # Output pixel i reads source floor((i + 0.5) * 2) = 1, 3.
    np.testing.assert_array_equal(x[0, ..., 0].numpy(),
                                  first[[1, 3]][:, [1, 3]])


def test_image_color_modes(tmp_path, decoder):
    images = image_tree(tmp_path, shape=(3, 3, 3), per_class=(1, 1))
    first = images[sorted(images)[0]]
    shapes = {}
    for mode, channels in (("grayscale", 1), ("rgb", 3), ("rgba", 4)):
        ds = keras.utils.image_dataset_from_directory(
            str(tmp_path), image_size=(3, 3), color_mode=mode,
            shuffle=False, verbose=False)
        x = next(iter(ds))[0][0].numpy()
        shapes[mode] = x.shape
        if mode == "rgba":
            np.testing.assert_array_equal(x[..., :3], first)
            np.testing.assert_array_equal(x[..., 3], 255)
        if mode == "grayscale":
            luma = first.astype(float) @ np.array([0.299, 0.587, 0.114])
            np.testing.assert_allclose(x[..., 0], luma, atol=0.51)
    assert shapes == {"grayscale": (3, 3, 1), "rgb": (3, 3, 3),
                      "rgba": (3, 3, 4)}
    with pytest.raises(ValueError, match="color_mode"):
        keras.utils.image_dataset_from_directory(
            str(tmp_path), color_mode="cmyk", verbose=False)


def test_image_crop_and_pad_to_aspect_ratio(tmp_path):
    images = image_tree(tmp_path, shape=(4, 8, 3), per_class=(1, 1))
    first = images[sorted(images)[0]].astype(np.float32)
    make = lambda size, **kw: next(iter(  # noqa: E731
        keras.utils.image_dataset_from_directory(
            str(tmp_path), image_size=size, shuffle=False, verbose=False,
            **kw)))[0][0].numpy()
    # The centered 4x4 window of a 4x8 image: columns 2-5, no resize.
    np.testing.assert_array_equal(make((4, 4), crop_to_aspect_ratio=True),
                                  first[:, 2:6])
    # Fit 4x8 into 8x8 unchanged, then 2 rows of zeros above and below.
    padded = make((8, 8), pad_to_aspect_ratio=True)
    np.testing.assert_array_equal(padded[2:6], first)
    assert not padded[:2].any() and not padded[6:].any()
    # Fit 4x8 into 2x2: resized to 1x2, padded to 2x2 (top row 0).
    small = make((2, 2), pad_to_aspect_ratio=True)
    np.testing.assert_allclose(small[:1], numpy_bilinear(first, 1, 2),
                               rtol=1e-5, atol=1e-3)
    assert not small[1:].any()
    with pytest.raises(ValueError, match="Only one of"):
        make((2, 2), pad_to_aspect_ratio=True, crop_to_aspect_ratio=True)


def test_image_channels_first_and_split(tmp_path):
    images = image_tree(tmp_path, per_class=(5, 5))
    train, val = keras.utils.image_dataset_from_directory(
        str(tmp_path), image_size=(4, 6), data_format="channels_first",
        validation_split=0.2, subset="both", seed=9, batch_size=4,
        label_mode="categorical", verbose=False)
    paths, _ = keras_order(str(tmp_path), {
        c: {os.path.basename(p): None for p in images
            if os.sep + c + os.sep in p} for c in ("cats", "dogs")}, seed=9)
    assert train.file_paths == paths[:8] and val.file_paths == paths[8:]
    x, y = next(iter(val))
    assert tuple(x.shape) == (2, 3, 4, 6) and tuple(y.shape) == (2, 2)
    np.testing.assert_array_equal(
        x[0].numpy(), images[paths[8]].transpose(2, 0, 1))


def test_image_dataset_trains_a_model(tmp_path):
    rng = np.random.default_rng(2)
    for cls, base in (("dark", 40), ("light", 200)):
        (tmp_path / cls).mkdir()
        for i in range(12):
            pixels = np.clip(base + rng.normal(0, 20, (8, 8, 3)), 0, 255)
            write_png(tmp_path / cls / f"{i}.png", pixels.astype(np.uint8))
    train = keras.utils.image_dataset_from_directory(
        str(tmp_path), image_size=(8, 8), batch_size=6, seed=1,
        label_mode="binary", verbose=False)
    model = keras.Sequential([
        keras.Input((8, 8, 3)),
        keras.layers.Rescaling(1 / 255.0),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.05),
                  loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(train, epochs=10, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.8


def test_docstring_examples_run():
    import doctest

    from torchkeras.preprocessing import text_dataset

    result = doctest.testmod(text_dataset)
    assert result.attempted > 0 and result.failed == 0
