"""Reading the user's data (CSV, .npy pairs, .npz) and the built-in tutorial dataset.

A Dataset holds the raw feature columns as read (numbers, with NaN for an empty cell, or text),
raw targets (N,) as read (numbers or strings), the feature and target names. A ColumnPlan
(cli/columns.py, learned on training rows) turns the raw columns into the features matrix x.
Encoding the targets for a loss is fastnn.tasks' job (LabelCoding), so the library's sweep and
the CLI share it.
"""
import array
import csv
import io
import math
import os
import warnings
from dataclasses import dataclass, field

import numpy as np

from fastnn import datasets
from fastnn._validation import check_regular_file, printable
from fastnn.npyio import NpyFileError, NpzArchive, read_npy

from .errors import CLIError

@dataclass
class Dataset:
    x: np.ndarray  # the features matrix once a ColumnPlan has been applied (None before)
    targets: np.ndarray  # raw values, (N,); None for unlabeled data
    feature_names: list = field(default_factory=list)  # the raw feature columns' names
    target_name: str = "label"
    source: str = "built-in"
    raw: dict = None  # feature name -> float64 column (NaN: empty cell) or _Text
    line_offset: int = 2  # row i of the data is line i + 2 of a CSV (a header, 1-based); 0 for NumPy rows
    lines: np.ndarray = None  # each row's line (or row) number in the file, once rows were selected

    @property
    def n_rows(self):
        return len(self.targets) if self.targets is not None else len(next(iter(self.raw.values())))

    def subset(self, rows):
        """The rows `rows` (indices) as a new Dataset; line numbers in errors then count within it."""
        lines = self._lines()[rows]
        raw = {k: (v[rows] if isinstance(v, np.ndarray) else _Text.of([v.cells[i] for i in rows], lines))
               for k, v in self.raw.items()}
        return Dataset(None if self.x is None else self.x[rows], None if self.targets is None else self.targets[rows],
                       self.feature_names, self.target_name, self.source, raw, self.line_offset, lines)

    def _lines(self):
        return self.lines if self.lines is not None else np.arange(self.n_rows) + self.line_offset

    def planned(self, plan):
        """This dataset with x = plan.transform(raw)."""
        self.x = plan.transform(self.raw, printable(self.source), self._lines(), "line" if self.line_offset else "row")
        return self


def _raw_of(x):
    return {f"x{i}": x[:, i] for i in range(x.shape[1])}


def builtin(seed):
    """The seed tutorial's data: 250 training rows and a fresh 200-row test set."""
    (x, y), (xt, yt) = datasets.tutorial_split(seed)
    names = [f"x{i}" for i in range(x.shape[1])]
    return (Dataset(x, y, names, "class", "built-in tutorial data (250 rows)", _raw_of(x), 0),
            Dataset(xt, yt, names, "class", "built-in held-out data (200 rows)", _raw_of(xt), 0))


def read_sets(data, labels, target, test_data, seed):
    """(train Dataset, test Dataset or None), raw (no x yet), from the --data/--labels/--target/
    --test-data options; the built-in tutorial data (with its fresh held-out set) when --data is
    not given."""
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


def train_and_test(data, labels, target, test_data, seed):
    """read_sets with x built by a plan learned on all the training rows (text columns one-hot,
    no imputing): the sweep's data."""
    from .columns import ColumnPlan

    train_set, test_set = read_sets(data, labels, target, test_data, seed)
    plan = ColumnPlan.fit(train_set.raw, train_set.feature_names)
    train_set.planned(plan)
    if test_set is not None:
        test_set.planned(plan)
    return train_set, test_set


def load(path, target=None, labels=None, require_target=True, feature_names=None):
    """Read a data file: CSV with a header, .npz with x (and y), or .npy (x) + --labels .npy.
    Anything but a regular file (a directory, a FIFO, /dev/zero) is refused before it is opened."""
    check_regular_file(path, "data", error=CLIError)
    ext = os.path.splitext(path)[1].lower()
    if ext in (".npz", ".npy"):
        if target is not None:
            raise CLIError(f"--target names a CSV column, but {printable(path)} is a NumPy file; for .npz the labels "
                           f"are the array 'y', for .npy give --labels y.npy.")
        if labels is not None and ext == ".npz":
            raise CLIError(f"--labels is for .npy features; the labels of {printable(path)} are its array 'y'.")
        return _load_npz(path, require_target) if ext == ".npz" else _load_npy(path, labels, require_target)
    if labels is not None:
        raise CLIError(f"--labels is for .npy features; in a CSV ({printable(path)}) name the label column with "
                       f"--target.")
    if ext == ".parquet":
        return _from_columns(path, *_parquet_columns(path), target, require_target, feature_names)
    return _load_csv(path, target, require_target, feature_names)


def _parquet_columns(path):
    """(column names, {name: float64 array or _Text}) of a Parquet file, read by pandas + pyarrow."""
    try:
        import pandas as pd
    except ImportError:
        raise CLIError(f"{printable(path)}: reading Parquet needs pandas and pyarrow: pip install "
                       f"'fastnn[pandas]'.") from None
    try:
        frame = pd.read_parquet(path)
    except ImportError as exc:
        raise CLIError(f"{printable(path)}: reading Parquet needs pyarrow ({exc}): pip install 'fastnn[pandas]'.") \
            from None
    except Exception as exc:  # pyarrow's errors for a damaged or non-Parquet file have no common base
        raise CLIError(f"{printable(path)}: not a readable Parquet file ({type(exc).__name__}: {exc}).") from None
    header = [str(c) for c in frame.columns]
    columns = {}
    for name, col in zip(header, (frame[c] for c in frame.columns)):
        if getattr(col.dtype, "kind", "O") in "biuf":
            columns[name] = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            cells = ["" if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else str(v)
                     for v in col.tolist()]
            columns[name] = _Text.of(cells, np.arange(len(cells)))
    return header, columns


def _check_features(x, path):
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise CLIError(f"{printable(path)}: features must be numeric, got dtype {x.dtype}.")
    if np.issubdtype(x.dtype, np.complexfloating):
        raise CLIError(f"{printable(path)}: features must be real numbers, got complex values ({x.dtype}).")
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2:
        raise CLIError(f"{printable(path)}: features must be a 2-D array (samples, features), got shape {x.shape}.")
    if len(x) == 0 or x.shape[1] == 0:
        raise CLIError(f"{printable(path)}: no data (shape {x.shape}).")
    x = x.astype(np.float64)
    if np.isinf(x).any():
        where = np.argwhere(np.isinf(x))[0]
        raise CLIError(f"{printable(path)}: {int(np.isinf(x).sum())} inf value(s) in the features, first at row "
                       f"{where[0]}, column {where[1]}; drop or fix them first.")
    return x  # NaN (a missing value) is the column plan's to impute or report


def _load_npz(path, require_target):
    try:
        with NpzArchive(path, "data archive") as archive:
            if "x" not in archive.shapes:
                raise CLIError(f"{printable(path)}: the archive has no array 'x' (it has: "
                               f"{', '.join(archive.shapes) or 'nothing'}).")
            x = _check_features(archive.read("x"), path)
            y = archive.read("y") if "y" in archive.shapes else None
    except NpyFileError as exc:
        raise CLIError(str(exc)) from None
    if y is None and require_target:
        raise CLIError(f"{printable(path)}: the archive has no array 'y' with the labels.")
    return _with_targets(x, y, path)


def _load_npy(path, labels, require_target):
    try:
        x = _check_features(read_npy(path, "features"), path)
        y = None
        if labels is not None:
            y = read_npy(labels, "labels")
        elif require_target:
            raise CLIError(f"{printable(path)} holds only features: give the labels with --labels y.npy.")
    except NpyFileError as exc:
        raise CLIError(str(exc)) from None
    return _with_targets(x, y, path)


def _with_targets(x, y, path):
    names = [f"x{i}" for i in range(x.shape[1])]
    if y is None:
        return Dataset(None, None, names, "label", path, _raw_of(x), 0)
    y = np.asarray(y)
    if np.issubdtype(y.dtype, np.complexfloating):
        raise CLIError(f"{printable(path)}: labels must be real numbers or names, got complex values.")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.reshape(-1)
    if y.ndim == 2:  # one-hot labels: back to class ids
        y = y.argmax(axis=1)
    if y.ndim != 1 or len(y) != len(x):
        raise CLIError(f"{printable(path)}: {len(y)} labels for {len(x)} rows.")
    if np.issubdtype(y.dtype, np.floating) and not np.all(np.isfinite(y)):
        raise CLIError(f"{printable(path)}: {int((~np.isfinite(y)).sum())} NaN/inf label(s), first at row "
                       f"{int(np.argwhere(~np.isfinite(y))[0][0])}.")
    return Dataset(None, y, names, "label", path, _raw_of(x), 0)


def _load_csv(path, target, require_target, feature_names):
    dialect, header = _csv_header(path)
    if len(set(header)) == len(header):
        _check_columns(path, header, target, feature_names)  # before reading the whole file
    return _from_columns(path, header, _read_csv_columns(path, dialect, header), target, require_target,
                         feature_names)


def _check_columns(path, header, target, feature_names):
    shown = printable(path)
    if feature_names is not None:
        missing = [c for c in feature_names if c not in header]
        if missing:
            raise CLIError(f"{shown}: the model needs column(s) {missing}, which the file lacks "
                           f"(it has: {', '.join(header)}).")
    if target is not None and target not in header:
        raise CLIError(f"{shown}: no column {target!r}; the columns are: {', '.join(header)}.")


def _from_columns(path, header, columns, target, require_target, feature_names):
    """A Dataset from a table's columns: the target column (named, or the last one), the features."""
    shown = printable(path)
    if len(set(header)) != len(header):
        raise CLIError(f"{shown}: duplicate column names in the header.")
    _check_columns(path, header, target, feature_names)  # (feature_names: predicting/evaluating, the model's own)
    target_name = None
    if target is not None:
        target_name = target
    elif require_target:
        target_name = header[-1]
    elif feature_names is not None and len(header) > len(feature_names):
        extra = [c for c in header if c not in feature_names]
        target_name = extra[0] if len(extra) == 1 else None
    features = feature_names if feature_names is not None else [c for c in header if c != target_name]
    if not features:
        raise CLIError(f"{shown}: no feature columns besides the target {target_name!r}.")
    if len(columns[header[0]]) == 0:
        raise CLIError(f"{shown}: a header but no data rows.")
    y = None
    if target_name is not None:
        values = columns[target_name]
        if isinstance(values, _Text):
            y = np.array(values.cells, dtype=object)  # class names
            empty = [i for i, c in enumerate(values.cells) if c == ""]
            if empty:
                raise CLIError(f"{shown}: the target column {target_name!r} is empty at {_where(path, empty[0])}.")
        else:
            y = np.asarray(values, dtype=np.float64)
            if not np.all(np.isfinite(y)):
                first = int(np.argwhere(~np.isfinite(y))[0][0])
                raise CLIError(f"{shown}: {int((~np.isfinite(y)).sum())} missing/NaN/inf value(s) in the target "
                               f"column {target_name!r}, first at {_where(path, first)}.")
    offset = 0 if str(path).lower().endswith(".parquet") else 2
    return Dataset(None, y, list(features), target_name or "label", path, {name: columns[name] for name in features},
                   offset)


def _where(path, row):
    return f"row {row}" if str(path).lower().endswith(".parquet") else f"line {row + 2}"


def _csv_header(path):
    """(csv dialect, column names) from the first line, with clear errors for non-CSV content."""
    shown = printable(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            sample = f.read(65536)
    except UnicodeDecodeError:
        raise CLIError(f"{shown}: not a text CSV file (it is not valid UTF-8).") from None
    except OSError as exc:
        raise CLIError(f"cannot read {shown}: {exc.strerror}.") from None
    if "\0" in sample:
        raise CLIError(f"{shown}: not a text CSV file (it contains NUL bytes).")
    if not sample.strip():
        raise CLIError(f"{shown}: the file is empty.")
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        header = next(row for row in csv.reader(io.StringIO(sample), dialect) if any(c.strip() for c in row))
    except StopIteration:
        raise CLIError(f"{shown}: the file is empty.") from None
    except csv.Error as exc:
        raise CLIError(f"{shown}: not a readable CSV header ({exc}).") from None
    return dialect, [h.strip() for h in header]


class _Text:
    """A CSV column that is not all numbers: its raw cells, and where the first non-number is."""

    def __init__(self, cells, first_line, first_text):
        self.cells, self.first_line, self.first_text = cells, first_line, first_text

    @classmethod
    def of(cls, cells, lines):
        """Cells with their line numbers: where the first non-number is."""
        for cell, line in zip(cells, lines):
            try:
                float(cell) if cell else None
            except ValueError:
                return cls(cells, int(line), cell)
        return cls(cells, int(lines[0]) if len(lines) else 0, "")

    def __len__(self):
        return len(self.cells)


def _read_csv_columns(path, dialect, header):
    """{column name: float64 array (NaN where a cell is empty) or _Text}. A file of plain numbers is
    read by NumPy's C parser (about the file's size in memory); anything else (names, empty cells,
    quoting) by one streaming pass of the csv module that stores 8 bytes per numeric cell."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # loadtxt warns about empty files; we check that ourselves
            table = np.loadtxt(path, delimiter=dialect.delimiter, skiprows=1, dtype=np.float64, ndmin=2,
                               encoding="utf-8-sig", comments=None, quotechar='"')
        if table.shape[1] == len(header) or table.size == 0:
            return {name: table[:, j] if table.size else np.zeros(0) for j, name in enumerate(header)}
    except (ValueError, MemoryError, csv.Error):
        pass  # not all numbers (or ragged): the streaming reader says exactly where
    return _stream_csv_columns(path, dialect, header)


def _stream_csv_columns(path, dialect, header):
    shown = printable(path)
    n = len(header)
    numbers = [array.array("d") for _ in range(n)]
    texts = [None] * n  # the raw cells of a column once it turns out not to be numeric
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f, dialect)
            next(reader, None)
            for row in reader:
                if not row or not any(cell.strip() for cell in row):
                    continue  # blank line
                if len(row) != n:
                    raise CLIError(f"{shown}: line {reader.line_num} has {len(row)} field(s) but the header has "
                                   f"{n} (ragged CSV).")
                for j, cell in enumerate(row):
                    cell = cell.strip()
                    if texts[j] is not None:
                        texts[j].cells.append(cell)
                        continue
                    try:
                        numbers[j].append(float(cell) if cell else math.nan)
                    except ValueError:
                        texts[j] = _Text([_number_text(v) for v in numbers[j]] + [cell], reader.line_num, cell)
                        numbers[j] = None
    except csv.Error as exc:
        raise CLIError(f"{shown}: not a readable CSV file ({exc}; a field over {csv.field_size_limit():,} "
                       f"characters usually means the file is not a CSV of numbers).") from None
    except UnicodeDecodeError:
        raise CLIError(f"{shown}: not a text CSV file (it is not valid UTF-8).") from None
    return {name: texts[j] if texts[j] is not None else np.frombuffer(numbers[j], dtype=np.float64)
            for j, name in enumerate(header)}


def _number_text(v):
    return "" if math.isnan(v) else repr(v)
