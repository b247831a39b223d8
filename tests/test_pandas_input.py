"""pandas DataFrames and Series (and lists) in fit/evaluate/predict/validation_data: the same
results as the equivalent arrays, column names kept and matched, and clear errors for text
columns and missing values (fastnn/tabular.py)."""
import numpy as np
import pytest

import fastnn
from fastnn import Dense, Sequential

pd = pytest.importorskip("pandas")


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    return x, y


def model():
    m = Sequential([Dense(5, activation="relu"), Dense(1, activation="sigmoid")], seed=3)
    m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return m


def test_dataframe_series_and_lists_train_exactly_as_arrays():
    x, y = data()
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    ys = pd.Series(y, name="label")
    by_array, by_frame, by_list = model(), model(), model()
    h1 = by_array.fit(x, y, epochs=3, batch_size=8, verbose=0, validation_data=(x[:10], y[:10]))
    h2 = by_frame.fit(df, ys, epochs=3, batch_size=8, verbose=0, validation_data=(df[:10], ys[:10]))
    h3 = by_list.fit(x.tolist(), y.tolist(), epochs=3, batch_size=8, verbose=0,
                     validation_data=(x[:10].tolist(), y[:10].tolist()))
    assert h1.history == h2.history == h3.history
    np.testing.assert_array_equal(by_array.predict(x), by_frame.predict(df))
    assert by_frame.evaluate(df, ys, verbose=0) == by_array.evaluate(x, y, verbose=0)
    assert by_frame.feature_names == ["a", "b", "c"] and by_array.feature_names is None


def test_columns_are_matched_by_name_and_kept_in_the_model_file(tmp_path):
    x, y = data()
    df = pd.DataFrame(x, columns=["a", "b", "c"])
    m = model()
    m.fit(df, y, epochs=2, verbose=0)
    reordered = df[["c", "a", "b"]]
    np.testing.assert_array_equal(m.predict(reordered), m.predict(df))
    with pytest.raises(ValueError, match=r"missing \['c'\]; unexpected \['d'\]"):
        m.predict(df.rename(columns={"c": "d"}))
    m.save(tmp_path / "m.fastnn")
    loaded = fastnn.load_model(tmp_path / "m.fastnn")
    assert loaded.feature_names == ["a", "b", "c"]
    np.testing.assert_array_equal(loaded.predict(reordered), m.predict(df))
    np.testing.assert_array_equal(loaded.predict(x), m.predict(df))  # arrays stay positional


@pytest.mark.parametrize("frame,match", [
    (lambda: pd.DataFrame({"a": [1.0, 2.0], "city": ["x", "y"]}), r"column 'city' is not numeric.*get_dummies"),
    (lambda: pd.DataFrame({"a": [1.0, 2.0], "c": pd.Categorical(["x", "y"])}), r"column 'c' is not numeric"),
    (lambda: pd.DataFrame({"a": [1.0, np.nan], "b": [1.0, 2.0]}), r"column 'a' at row 1"),
    (lambda: pd.DataFrame({"a": [1.0, 2.0], "b": pd.array([1, None], dtype="Int64")}), r"column 'b' at row 1"),
    (lambda: pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]), r"duplicate column names \['a'\]"),
])
def test_bad_frames_are_clear_errors(frame, match):
    m = model()
    with pytest.raises(ValueError, match=match):
        m.fit(frame(), np.array([0, 1])[:len(frame())], epochs=1, verbose=0)


def test_a_series_target_with_a_missing_value_names_the_row():
    x, y = data(4)
    with pytest.raises(ValueError, match="missing value.*row 2"):
        model().fit(x, pd.Series([0, 1, None, 1], dtype="Int64"), epochs=1, verbose=0)
