"""Reading the user's data (CSV, .npy pairs, .npz) and the built-in tutorial dataset.

A Dataset holds features (N, d) float64, raw targets (N,) as read (numbers or strings), the
feature and target names. Encoding the targets for a loss is fastnn.tasks' job (LabelCoding),
so the library's sweep and the CLI share it.
"""
import csv
import os
from dataclasses import dataclass, field

import numpy as np

from fastnn import datasets

from .errors import CLIError

@dataclass
class Dataset:
    x: np.ndarray
    targets: np.ndarray  # raw values, (N,); None for unlabeled data
    feature_names: list = field(default_factory=list)
    target_name: str = "label"
    source: str = "built-in"


def builtin(seed):
    """The seed tutorial's data: 250 training rows and a fresh 200-row test set."""
    (x, y), (xt, yt) = datasets.tutorial_split(seed)
    names = [f"x{i}" for i in range(x.shape[1])]
    return (Dataset(x, y, names, "class", "built-in tutorial data (250 rows)"),
            Dataset(xt, yt, names, "class", "built-in held-out data (200 rows)"))


def train_and_test(data, labels, target, test_data, seed):
    """(train Dataset, test Dataset or None) from the --data/--labels/--target/--test-data options;
    the built-in tutorial data (with its fresh held-out set) when --data is not given."""
    if data is None:
        if labels or target:
            raise CLIError("--labels and --target need --data.")
        return builtin(seed)
    train_set = load(str(data), target=target, labels=None if labels is None else str(labels))
    test_set = None
    if test_data is not None:
        test_set = load(str(test_data), target=train_set.target_name if target else None,
                        feature_names=train_set.feature_names if train_set.source.endswith(".csv") else None)
    return train_set, test_set


def load(path, target=None, labels=None, require_target=True, feature_names=None):
    """Read a data file: CSV with a header, .npz with x (and y), or .npy (x) + --labels .npy."""
    if not os.path.exists(path):
        raise CLIError(f"no such file: {path}")
    if os.path.isdir(path):
        raise CLIError(f"{path} is a directory, not a data file.")
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npz":
        return _load_npz(path, require_target)
    if ext == ".npy":
        return _load_npy(path, labels, require_target)
    return _load_csv(path, target, require_target, feature_names)


def _np_load(path, what):
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise CLIError(f"cannot read {what} {path}: not a valid NumPy file ({exc}).") from None


def _check_features(x, path):
    if x.dtype == object or not np.issubdtype(x.dtype, np.number):
        raise CLIError(f"{path}: features must be numeric, got dtype {x.dtype}.")
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2:
        raise CLIError(f"{path}: features must be a 2-D array (samples, features), got shape {x.shape}.")
    if len(x) == 0:
        raise CLIError(f"{path}: no rows.")
    x = x.astype(np.float64)
    bad = ~np.isfinite(x)
    if bad.any():
        where = np.argwhere(bad)[0]
        raise CLIError(f"{path}: {int(bad.sum())} NaN/inf value(s) in the features, first at row {where[0]}, "
                       f"column {where[1]}; drop or impute them first.")
    return x


def _load_npz(path, require_target):
    data = _np_load(path, "archive")
    if not hasattr(data, "files"):
        raise CLIError(f"{path}: expected an .npz archive with arrays 'x' and 'y'.")
    with data:
        if "x" not in data.files:
            raise CLIError(f"{path}: the archive has no array 'x' (it has: {', '.join(data.files)}).")
        x = _check_features(data["x"], path)
        y = data["y"] if "y" in data.files else None
    if y is None and require_target:
        raise CLIError(f"{path}: the archive has no array 'y' with the labels.")
    return _with_targets(x, y, path)


def _load_npy(path, labels, require_target):
    x = _check_features(_np_load(path, "features"), path)
    y = None
    if labels is not None:
        if not os.path.exists(labels):
            raise CLIError(f"no such file: {labels}")
        y = _np_load(labels, "labels")
    elif require_target:
        raise CLIError(f"{path} holds only features: give the labels with --labels y.npy.")
    return _with_targets(x, y, path)


def _with_targets(x, y, path):
    names = [f"x{i}" for i in range(x.shape[1])]
    if y is None:
        return Dataset(x, None, names, "label", path)
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim == 2:  # one-hot labels: back to class ids
        y = y.argmax(axis=1)
    if y.ndim != 1 or len(y) != len(x):
        raise CLIError(f"{path}: {len(y)} labels for {len(x)} rows.")
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.isfinite(y)):
        raise CLIError(f"{path}: {int((~np.isfinite(y)).sum())} NaN/inf label(s), first at row "
                       f"{int(np.argwhere(~np.isfinite(y))[0][0])}.")
    return Dataset(x, y, names, "label", path)


def _load_csv(path, target, require_target, feature_names):
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            sample = f.read(4096)
            f.seek(0)
            try:
                dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
            except csv.Error:
                dialect = csv.excel
            rows = list(csv.reader(f, dialect))
    except UnicodeDecodeError:
        raise CLIError(f"{path}: not a text CSV file (it is not valid UTF-8).") from None
    except OSError as exc:
        raise CLIError(f"cannot read {path}: {exc.strerror}.") from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise CLIError(f"{path}: the file is empty.")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        raise CLIError(f"{path}: duplicate column names in the header.")
    body = rows[1:]
    if not body:
        raise CLIError(f"{path}: a header but no data rows.")
    for i, r in enumerate(body):
        if len(r) != len(header):
            raise CLIError(f"{path}: line {i + 2} has {len(r)} field(s) but the header has {len(header)} "
                           f"(ragged CSV).")
    if feature_names is not None:  # predicting/evaluating: the model's own columns
        missing = [c for c in feature_names if c not in header]
        if missing:
            raise CLIError(f"{path}: the model needs column(s) {missing}, which the file lacks "
                           f"(it has: {', '.join(header)}).")
    target_name = None
    if target is not None:
        if target not in header:
            raise CLIError(f"{path}: no column {target!r}; the columns are: {', '.join(header)}.")
        target_name = target
    elif require_target:
        target_name = header[-1]
    elif feature_names is not None and len(header) > len(feature_names):
        extra = [c for c in header if c not in feature_names]
        target_name = extra[0] if len(extra) == 1 else None
    features = feature_names if feature_names is not None else [c for c in header if c != target_name]
    if not features:
        raise CLIError(f"{path}: no feature columns besides the target {target_name!r}.")
    columns = list(zip(*body))
    x = np.empty((len(body), len(features)), dtype=np.float64)
    for j, name in enumerate(features):
        cells = columns[header.index(name)]
        x[:, j] = _numeric_column(cells, name, path)
    bad = ~np.isfinite(x)
    if bad.any():
        rows_bad = np.argwhere(bad)
        first = rows_bad[0]
        raise CLIError(f"{path}: {int(bad.sum())} missing/NaN value(s) in the features, first in column "
                       f"{features[first[1]]!r} at line {first[0] + 2}; drop or impute them first.")
    y = None
    if target_name is not None:
        cells = [c.strip() for c in columns[header.index(target_name)]]
        if any(c == "" for c in cells):
            raise CLIError(f"{path}: the target column {target_name!r} is empty at line {cells.index('') + 2}.")
        try:
            y = np.array([float(c) for c in cells])
            if not np.all(np.isfinite(y)):
                raise CLIError(f"{path}: {int((~np.isfinite(y)).sum())} NaN/inf value(s) in the target "
                               f"column {target_name!r}.")
        except ValueError:
            y = np.array(cells, dtype=object)  # class names
    return Dataset(x, y, list(features), target_name or "label", path)


def _numeric_column(cells, name, path):
    stripped = [c.strip() for c in cells]
    try:
        return np.array([float(c) if c else np.nan for c in stripped])
    except ValueError:
        for i, c in enumerate(stripped):
            try:
                float(c) if c else None
            except ValueError:
                raise CLIError(f"{path}: column {name!r} is not numeric: {c!r} at line {i + 2}. Remove the "
                               f"column or encode it as numbers (or make it the --target).") from None
        raise
