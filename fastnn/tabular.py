"""Data as people hold it: pandas DataFrames and Series (and anything with .to_numpy()) turned into
plain arrays once, at the boundary, with the column names kept.

pandas is never imported here: a DataFrame is recognised by its columns and dtypes, so the core
install does not need pandas and a user who has it pays nothing extra.

- A DataFrame's numeric and boolean columns become float columns; a text, category or object
  column is an error that names it (one-hot encode it first, as `fastnn train` does for CSVs).
- Missing values (NaN, None, pd.NA) are an error that names the column and the row.
- A model remembers the column names it was fitted on (`feature_names`); a DataFrame given to
  predict/evaluate later is matched by name (reordered when only the order differs), and a
  missing or unexpected column is an error. Arrays are taken positionally, as always.
"""
import numpy as np


def is_dataframe(x):
    return hasattr(x, "columns") and hasattr(x, "dtypes") and hasattr(x, "to_numpy")


def is_series(x):
    return hasattr(x, "to_numpy") and hasattr(x, "dtype") and hasattr(x, "name") and not is_dataframe(x)


def column_names(df):
    names = [str(c) for c in df.columns]
    if len(set(names)) != len(names):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"the DataFrame has duplicate column names {dupes}; rename them so each feature has one.")
    return names


def _numeric_kind(dtype):
    kind = getattr(dtype, "kind", None)
    return kind in ("b", "i", "u", "f")


def dataframe_values(df, what="x", expected=None):
    """(float64 array (N, columns), column names) from a DataFrame; with `expected` (the names the
    model was fitted on) the columns are matched by name."""
    names = column_names(df)
    if expected is not None and names != list(expected):
        missing = [n for n in expected if n not in names]
        extra = [n for n in names if n not in expected]
        if missing or extra:
            parts = ([f"missing {missing}"] if missing else []) + ([f"unexpected {extra}"] if extra else [])
            raise ValueError(f"{what}: the DataFrame's columns do not match the ones the model was fitted on "
                             f"({'; '.join(parts)}). Expected columns: {list(expected)}.")
        df = df[[df.columns[names.index(n)] for n in expected]]  # same columns, another order: by name
        names = list(expected)
    bad = [n for n, dt in zip(names, df.dtypes) if not _numeric_kind(dt)]
    if bad:
        first = bad[0]
        raise ValueError(f"{what}: column {first!r} is not numeric (dtype {df.dtypes.iloc[names.index(first)]}); "
                         f"{len(bad)} such column(s): {bad[:5]}. Encode them as numbers first, e.g. "
                         f"pandas.get_dummies(df, columns={bad[:5]}) (fastnn train does this for CSV files).")
    values = df.to_numpy(dtype=np.float64, na_value=np.nan)
    _check_missing(values, names, what)
    return values, names


def _check_missing(values, names, what):
    missing = np.isnan(values)
    if missing.any():
        row, col = np.argwhere(missing)[0]
        raise ValueError(f"{what}: {int(missing.sum())} missing value(s), first in column {names[col]!r} at row "
                         f"{row}. Drop or impute them first (e.g. df.fillna(df.mean())).")


def series_values(s, what="y"):
    """A Series' values as an array (integers stay integers, so class ids stay ids); a missing
    value in a numeric Series is an error that names the row."""
    if not _numeric_kind(s.dtype):
        return s.to_numpy()  # text labels: the loss's label check names them
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    if np.isnan(values).any():
        row = int(np.argwhere(np.isnan(values))[0][0])
        raise ValueError(f"{what}: {int(np.isnan(values).sum())} missing value(s) in {s.name!r}, first at row "
                         f"{row}. Drop or impute them first.")
    return values.astype(np.int64) if s.dtype.kind in ("i", "u") else values


def as_array(x, what="x", expected=None):
    """(array or x unchanged, column names or None): DataFrames and Series become arrays."""
    if is_dataframe(x):
        return dataframe_values(x, what, expected)
    if is_series(x):
        return series_values(x, what), ([str(x.name)] if x.name is not None else None)
    return x, None
