"""fastnn.datasets' Keras loaders, offline: files served from file:// addresses stand in for Keras's
download site (no network here), with their real layouts (npz, gzipped IDX) and SHA-256 checks."""
import gzip
import hashlib
import os

import numpy as np
import pytest

from fastnn.datasets import boston_housing, download, fashion_mnist, mnist


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    return tmp_path / "keras_home" / "datasets"


def serve(tmp_path, monkeypatch, module, name, data):
    """Put `data` where module will download `name` from, and return its SHA-256."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / name).write_bytes(data)
    monkeypatch.setattr(module, "ORIGIN", site.as_uri() + "/")
    return hashlib.sha256(data).hexdigest()


def npz_bytes(tmp_path, **arrays):
    np.savez(tmp_path / "tmp.npz", **arrays)
    return (tmp_path / "tmp.npz").read_bytes()


def test_mnist_downloads_once_then_loads_from_keras_cache(tmp_path, monkeypatch, keras_home):
    rng = np.random.default_rng(0)
    arrays = {"x_train": rng.integers(0, 256, (6, 28, 28), dtype=np.uint8), "y_train": np.arange(6, dtype=np.uint8),
              "x_test": rng.integers(0, 256, (2, 28, 28), dtype=np.uint8), "y_test": np.array([3, 4], np.uint8)}
    digest = serve(tmp_path, monkeypatch, mnist, "mnist.npz", npz_bytes(tmp_path, **arrays))
    monkeypatch.setattr(mnist, "FILE_HASH", digest)
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
    for got, want in zip((x_train, y_train, x_test, y_test), arrays.values()):
        np.testing.assert_array_equal(got, want)
    assert sorted(os.listdir(keras_home)) == ["mnist.npz"]  # no temporary left behind
    os.remove(tmp_path / "site" / "mnist.npz")  # the site is gone: the cached copy is used
    np.testing.assert_array_equal(mnist.load_data()[1][1], arrays["y_test"])


def test_a_download_with_the_wrong_hash_is_not_kept(tmp_path, monkeypatch, keras_home):
    serve(tmp_path, monkeypatch, mnist, "mnist.npz", b"not the real file")
    with pytest.raises(ValueError, match="does not have the expected hash"):
        mnist.load_data()
    assert os.listdir(keras_home) == []


def test_a_damaged_cached_file_is_downloaded_again(tmp_path, monkeypatch, keras_home):
    data = npz_bytes(tmp_path, x=np.ones((10, 13)), y=np.arange(10.0))
    monkeypatch.setattr(boston_housing, "FILE_HASH", serve(tmp_path, monkeypatch, boston_housing,
                                                            "boston_housing.npz", data))
    keras_home.mkdir(parents=True)
    (keras_home / "boston_housing.npz").write_bytes(b"truncated")
    boston_housing.load_data()
    assert (keras_home / "boston_housing.npz").read_bytes() == data


def test_no_network_is_a_clear_error_naming_where_to_put_the_file(monkeypatch, keras_home):
    monkeypatch.setattr(mnist, "ORIGIN", "file:///nonexistent-fastnn-site/")
    with pytest.raises(OSError, match=r"could not download mnist.npz .* copy the file to .*keras_home/datasets/mnist"):
        mnist.load_data()


def test_boston_housing_splits_after_keras_seeded_shuffle(tmp_path, monkeypatch, keras_home):
    x = np.arange(50 * 13, dtype=np.float64).reshape(50, 13)
    y = np.arange(50, dtype=np.float64)
    monkeypatch.setattr(boston_housing, "FILE_HASH",
                        serve(tmp_path, monkeypatch, boston_housing, "boston_housing.npz", npz_bytes(tmp_path, x=x, y=y)))
    (x_train, y_train), (x_test, y_test) = boston_housing.load_data(test_split=0.2, seed=113)
    order = np.arange(50)
    np.random.RandomState(113).shuffle(order)  # Keras's shuffle: the last 20% of the shuffled rows are the test set
    np.testing.assert_array_equal(y_train, order[:40])
    np.testing.assert_array_equal(y_test, order[40:])
    np.testing.assert_array_equal(x_test, x[order[40:]])
    assert len(x_train) == 40
    with pytest.raises(ValueError, match="test_split"):
        boston_housing.load_data(test_split=1.0)


def test_fashion_mnist_reads_the_gzipped_idx_files(tmp_path, monkeypatch, keras_home):
    rng = np.random.default_rng(1)
    images = {"train": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8), "t10k": rng.integers(0, 256, (3, 28, 28),
                                                                                              dtype=np.uint8)}
    labels = {"train": np.array([1, 2, 3, 4], np.uint8), "t10k": np.array([9, 8, 7], np.uint8)}
    site = tmp_path / "site"
    site.mkdir()
    for part in ("train", "t10k"):
        n = len(labels[part])
        (site / f"{part}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(
            (2049).to_bytes(4, "big") + n.to_bytes(4, "big") + labels[part].tobytes()))
        (site / f"{part}-images-idx3-ubyte.gz").write_bytes(gzip.compress(
            (2051).to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in (n, 28, 28)) + images[part].tobytes()))
    monkeypatch.setattr(fashion_mnist, "ORIGIN", site.as_uri() + "/")
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, images["train"])
    np.testing.assert_array_equal(y_train, labels["train"])
    np.testing.assert_array_equal(x_test, images["t10k"])
    np.testing.assert_array_equal(y_test, labels["t10k"])
    assert sorted(os.listdir(keras_home / "fashion-mnist")) == sorted(fashion_mnist.FILES)
    (keras_home / "fashion-mnist" / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"\x00" * 12))
    with pytest.raises(ValueError, match="not a gzipped IDX file"):
        fashion_mnist.load_data()


def test_cache_dir_falls_back_to_the_temporary_directory(monkeypatch, tmp_path):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    monkeypatch.setenv("KERAS_HOME", str(blocked / "home"))  # cannot be created under a file
    assert download.cache_dir() == os.path.join(download.tempfile.gettempdir(), ".keras", "datasets")


def ragged_npz(tmp_path, **lists):
    """An .npz holding object arrays of lists, as Keras's imdb.npz and reuters.npz do."""
    arrays = {}
    for name, value in lists.items():
        if value and isinstance(value[0], list):
            arr = np.empty(len(value), dtype=object)
            arr[:] = value
        else:
            arr = np.array(value)
        arrays[name] = arr
    np.savez(tmp_path / "ragged.npz", **arrays)
    return (tmp_path / "ragged.npz").read_bytes()


def test_reuters_shuffles_shifts_and_limits_word_ids_as_keras(tmp_path, monkeypatch, keras_home):
    from fastnn.datasets import reuters

    xs = [[1, 2], [5, 6, 7], [3], [9, 9, 1, 4], [2, 8]]
    ys = [0, 1, 2, 3, 4]
    monkeypatch.setattr(reuters, "FILE_HASH", serve(tmp_path, monkeypatch, reuters, "reuters.npz",
                                                    ragged_npz(tmp_path, x=xs, y=ys)))
    (x_train, y_train), (x_test, y_test) = reuters.load_data(num_words=10, test_split=0.2, seed=113)
    order = np.arange(5)
    np.random.RandomState(113).shuffle(order)
    # by hand: start_char 1, ids + 3, ids outside [0, 10) become oov_char 2
    expect = [[1] + [w + 3 if w + 3 < 10 else 2 for w in xs[i]] for i in order]
    assert list(x_train) == expect[:4] and list(x_test) == expect[4:]
    np.testing.assert_array_equal(np.concatenate([y_train, y_test]), order)
    assert x_train.dtype == object and x_train.ndim == 1
    # maxlen drops sequences of maxlen or more ids (start_char counted: [9, 9, 1, 4] and [5, 6, 7] go);
    # oov_char=None drops ids >= num_words instead of replacing them
    (x_train, _), (x_test, _) = reuters.load_data(maxlen=4, oov_char=None, num_words=6, test_split=0.0)
    assert sorted(map(tuple, x_train)) == sorted([(1, 4, 5), (1,), (1, 5)]) and len(x_test) == 0
    assert len(reuters.get_label_names()) == 46


def test_imdb_keeps_its_own_train_and_test_sets(tmp_path, monkeypatch, keras_home):
    from fastnn.datasets import imdb

    data = ragged_npz(tmp_path, x_train=[[1, 2], [3, 4, 5]], y_train=[0, 1], x_test=[[6], [7, 8]], y_test=[1, 0])
    monkeypatch.setattr(imdb, "FILE_HASH", serve(tmp_path, monkeypatch, imdb, "imdb.npz", data))
    (x_train, y_train), (x_test, y_test) = imdb.load_data(index_from=0, start_char=None)
    rng = np.random.RandomState(113)
    train_order, test_order = np.arange(2), np.arange(2)
    rng.shuffle(train_order)
    rng.shuffle(test_order)
    # no num_words: the limit is the largest id (8), which Keras itself maps to oov_char (2)
    originals_train, originals_test = [[1, 2], [3, 4, 5]], [[6], [7, 8]]
    assert list(x_train) == [originals_train[i] for i in train_order]
    assert list(x_test) == [[w if w < 8 else 2 for w in originals_test[i]] for i in test_order]
    np.testing.assert_array_equal(y_train, np.array([0, 1])[train_order])


def test_a_dataset_file_that_would_run_code_is_refused(tmp_path, monkeypatch, keras_home):
    # a pickle stream that calls os.system when loaded, in place of an object array
    import io
    import pickle
    import zipfile

    from fastnn.datasets import reuters

    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    npy = io.BytesIO()
    np.lib.format.write_array_header_1_0(npy, {"descr": "|O", "fortran_order": False, "shape": (1,)})
    npy.write(pickle.dumps(Exploit()))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("x.npy", npy.getvalue())
        z.writestr("y.npy", npy.getvalue())
    monkeypatch.setattr(reuters, "FILE_HASH", serve(tmp_path, monkeypatch, reuters, "reuters.npz", archive.getvalue()))
    with pytest.raises(Exception, match="refusing to load posix.system"):
        reuters.load_data()
    assert not (tmp_path / "pwned").exists()


def test_ctrl_c_during_a_download_leaves_no_file(monkeypatch, keras_home):
    import urllib.request

    class Interrupted:  # the first block arrives, then the user presses Ctrl-C
        def __init__(self):
            self.blocks = [b"x" * 1000]

        def read(self, n):
            if self.blocks:
                return self.blocks.pop()
            raise KeyboardInterrupt

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout: Interrupted())
    with pytest.raises(KeyboardInterrupt):
        mnist.load_data()
    assert os.listdir(keras_home) == []  # neither a partial mnist.npz nor a temporary
