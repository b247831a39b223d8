"""From a file's raw columns to the model's feature matrix: numbers as they are, text columns one-hot
encoded, missing cells imputed when asked. The plan is learned on the training rows and stored in
the model file (metadata "columns"), so `fastnn evaluate` and `fastnn predict` turn a new file
into exactly the same features.

A raw column is a float64 array (NaN for an empty cell) or cli.data's _Text (the cells as strings).
"""
import math

import numpy as np

from .errors import CLIError

IMPUTE_RULES = ("none", "mean", "median")
MAX_CATEGORIES = 1000  # more distinct texts in one column is an ID or free text, not a category


class ColumnPlan:
    """One entry per raw feature column: {"name", "kind": "number", "fill": value or None} or
    {"name", "kind": "category", "categories": [...], "fill": category or None}."""

    def __init__(self, columns):
        self.columns = columns

    @classmethod
    def fit(cls, raw, names, rows=None, impute="none"):
        """Learn the plan from the training rows (all rows when rows is None)."""
        if impute not in IMPUTE_RULES:
            raise CLIError(f"--impute must be one of {', '.join(IMPUTE_RULES)}, got {impute!r}.")
        columns = []
        for name in names:
            values = raw[name]
            if _is_text(values):
                cells = np.asarray([_category(v) for v in values.cells], dtype=object)
                seen = cells if rows is None else cells[rows]
                present = [c for c in seen if c != ""]
                categories = sorted(set(present))
                fill = None
                if impute != "none" and present:
                    uniques, counts = np.unique(np.asarray(present, dtype=str), return_counts=True)
                    fill = str(uniques[counts.argmax()])  # the most frequent category
                if not categories:
                    raise CLIError(f"column {name!r} has no values in the training rows.")
                if len(categories) > MAX_CATEGORIES:
                    raise CLIError(f"column {name!r} has {len(categories):,} distinct text values (first "
                                   f"{values.first_text!r} at line {values.first_line}): an ID or free text, not "
                                   f"categories to one-hot encode (at most {MAX_CATEGORIES}). Drop the column, or "
                                   f"fix the cells that are not numbers.")
                columns.append({"name": name, "kind": "category", "categories": categories, "fill": fill})
            else:
                seen = values if rows is None else values[rows]
                finite = seen[np.isfinite(seen)]
                fill = None
                if impute != "none":
                    if finite.size == 0:
                        raise CLIError(f"column {name!r} has no values in the training rows to impute from.")
                    fill = float(np.mean(finite) if impute == "mean" else np.median(finite))
                columns.append({"name": name, "kind": "number", "fill": fill})
        return cls(columns)

    @property
    def raw_names(self):
        return [c["name"] for c in self.columns]

    @property
    def feature_names(self):
        """The model's input columns: a number keeps its name, a category becomes name=value each."""
        out = []
        for c in self.columns:
            out += [c["name"]] if c["kind"] == "number" else [f"{c['name']}={v}" for v in c["categories"]]
        return out

    @property
    def encoded(self):
        return [c["name"] for c in self.columns if c["kind"] == "category"]

    def transform(self, raw, source, lines, unit="line"):
        """The (N, features) float64 matrix for these raw columns. A missing cell without an impute
        value, or a category not seen in training, is an error naming the column and the line."""
        n = len(lines)
        x = np.empty((n, len(self.feature_names)), dtype=np.float64)  # filled in place: no per-column copies
        at = 0
        for c in self.columns:
            values = raw[c["name"]]
            if c["kind"] == "number":
                if _is_text(values):
                    raise CLIError(f"{source}: column {c['name']!r} is not numeric: {values.first_text!r} at line "
                                   f"{values.first_line}, but the model was trained on numbers in it.")
                col = x[:, at]
                col[:] = values
                missing = ~np.isfinite(col)
                if missing.any():
                    if c["fill"] is None or np.isinf(col[missing]).any():
                        row = int(np.argwhere(missing)[0][0])
                        raise CLIError(f"{source}: {int(missing.sum())} missing/NaN/inf value(s) in column "
                                       f"{c['name']!r}, first at {unit} {lines[row]}; drop those rows, or "
                                       f"train with --impute mean|median.")
                    col[missing] = c["fill"]
                at += 1
            else:
                cells = [_category(v) for v in (values.cells if _is_text(values) else values)]
                lookup = {v: i for i, v in enumerate(c["categories"])}
                onehot = x[:, at:at + len(lookup)]
                onehot[:] = 0.0
                for i, cell in enumerate(cells):
                    if cell == "" and c["fill"] is not None:
                        cell = c["fill"]
                    j = lookup.get(cell)
                    if j is None:
                        what = "is empty" if cell == "" else f"holds {cell!r}, a category not seen in training"
                        fix = ("drop those rows, or train with --impute" if cell == ""
                               else f"known: {', '.join(map(repr, c['categories'][:8]))}")
                        raise CLIError(f"{source}: column {c['name']!r} {what} at {unit} {lines[i]} ({fix}).")
                    onehot[i, j] = 1.0
                at += len(lookup)
        return x

    def to_json(self):
        return {"columns": self.columns}

    @classmethod
    def from_json(cls, d):
        """A plan read back from a model file, every field checked (the file may have been edited)."""
        cols = d.get("columns") if isinstance(d, dict) else None
        if not isinstance(cols, list) or not cols:
            raise ValueError("the column plan is not a non-empty list")
        for c in cols:
            if not isinstance(c, dict) or not isinstance(c.get("name"), str) or c.get("kind") not in ("number",
                                                                                                     "category"):
                raise ValueError(f"bad column entry {c!r}")
            fill = c.get("fill")
            if c["kind"] == "number" and fill is not None and not (isinstance(fill, (int, float))
                                                                   and math.isfinite(fill)):
                raise ValueError(f"bad impute value for {c['name']!r}")
            if c["kind"] == "category":
                cats = c.get("categories")
                if not isinstance(cats, list) or not cats or not all(isinstance(v, str) for v in cats) \
                        or len(set(cats)) != len(cats) or (fill is not None and fill not in cats):
                    raise ValueError(f"bad categories for {c['name']!r}")
        return cls(cols)


def numeric_plan(names):
    """The plan of a model trained before plans existed (or on a NumPy file): numbers, no imputing."""
    return ColumnPlan([{"name": n, "kind": "number", "fill": None} for n in names])


def _is_text(values):
    return hasattr(values, "cells")


def _category(cell):
    """A cell as a category name: numbers in one canonical spelling ('1', '1.0' and 1.0 are the same
    category '1'), text stripped, a missing cell ''."""
    if isinstance(cell, str):
        cell = cell.strip()
        try:
            value = float(cell)
        except ValueError:
            return cell
        if not math.isfinite(value):
            return cell if cell.lower() not in ("nan", "") else ""
    else:
        value = float(cell)
        if not math.isfinite(value):
            return ""
    return str(int(value)) if value.is_integer() else repr(value)
