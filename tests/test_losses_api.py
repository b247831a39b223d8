"""fastnn.losses: every Keras 3 name and alias plus the Keras 1/2 names, get() returning a
reduced float, Keras 3's label handling, and the bad-label errors."""
import warnings

import numpy as np
import pytest

from fastnn import losses
from fastnn.reference import losses as ref

K3_NAMES = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
            "mean_squared_logarithmic_error", "hinge", "squared_hinge", "categorical_hinge", "binary_crossentropy",
            "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "poisson",
            "cosine_similarity", "log_cosh", "huber"]
ALIASES = {"mse": "mean_squared_error", "MSE": "mean_squared_error", "mae": "mean_absolute_error",
           "MAE": "mean_absolute_error", "mape": "mean_absolute_percentage_error",
           "MAPE": "mean_absolute_percentage_error", "msle": "mean_squared_logarithmic_error",
           "MSLE": "mean_squared_logarithmic_error", "bce": "binary_crossentropy", "BCE": "binary_crossentropy",
           "kld": "kl_divergence", "KLD": "kl_divergence", "kullback_leibler_divergence": "kl_divergence",
           "cosine_proximity": "cosine_similarity", "cosine": "cosine_similarity", "logcosh": "log_cosh",
           "huber_loss": "huber", "MeanSquaredError": "mean_squared_error", "Huber": "huber"}


@pytest.mark.parametrize("name", K3_NAMES)
def test_canonical_names(name):
    assert losses.get(name).name == name


@pytest.mark.parametrize("alias,canonical", ALIASES.items())
def test_aliases(alias, canonical):
    assert losses.get(alias).name == canonical


@pytest.mark.parametrize("typo,suggestion", [("msa", "ms"), ("mspa", "m"), ("hinje", "hinge"),
                                             ("categorical_crossentropi", "categorical_crossentropy")])
def test_typos_suggest_the_closest_name(typo, suggestion):
    with pytest.raises(ValueError, match="Did you mean") as err:
        losses.get(typo)
    assert f"'{suggestion}" in str(err.value)


def test_get_returns_a_callable_with_keras3_reduction(rng):
    y = rng.normal(size=(6, 3))
    p = rng.normal(size=(6, 3))
    sw = rng.uniform(0, 2, size=6)
    assert losses.get("mse")(y, p) == pytest.approx(np.mean((y - p) ** 2), rel=1e-12)
    # sum_over_batch_size: sum(w * l) / N, NOT divided by sum(w)
    assert losses.get("mse")(y, p, sample_weight=sw) == pytest.approx(
        np.sum(sw * np.mean((y - p) ** 2, axis=1)) / 6, rel=1e-12)
    assert losses.mean_squared_error(y, p).shape == (6,)  # the functions give per-sample values, as Keras


def test_loss_classes_with_options(rng):
    y = rng.integers(0, 2, size=(5, 1)).astype(float)
    z = rng.normal(size=(5, 1))
    bce = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1)
    assert bce(y, z) == pytest.approx(np.mean(ref.values("binary_crossentropy", y, z, from_logits=True,
                                                         label_smoothing=0.1)), rel=1e-12)
    assert losses.Huber(delta=2.0).options == {"delta": 2.0}
    with pytest.raises(TypeError, match="unexpected option"):
        losses.Hinge(from_logits=True)
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.CategoricalCrossentropy(label_smoothing=1.5)


def test_vector_labels_expand_against_one_unit_outputs(rng):
    y = rng.choice([-1.0, 1.0], size=8)
    p = rng.normal(size=(8, 1))
    # (N,) vs (N, 1) must be per-sample, never an (N, N) broadcast
    assert losses.get("hinge")(y, p) == pytest.approx(np.mean(np.maximum(1 - y * p[:, 0], 0)), rel=1e-12)


def test_sparse_labels_are_class_ids():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    assert losses.get("sparse_categorical_crossentropy")([0, 2], p) == pytest.approx(
        -(np.log(0.7) + np.log(0.8)) / 2, rel=1e-12)


def test_bad_labels_are_clear_errors():
    p3 = np.full((2, 3), 1 / 3)
    scce = losses.get("sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"class ids must be in \[0, 2\]"):
        scce([0, 3], p3)
    with pytest.raises(ValueError, match="integer class ids"):
        scce([0.5, 1], p3)
    with pytest.raises(ValueError, match="one-hot"):
        scce(np.eye(3)[:2], p3)
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.get("categorical_crossentropy")([0, 2], p3)
    with pytest.raises(ValueError, match="samples"):
        losses.get("mse")(np.zeros(3), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"\{-1, 1\}"):
        losses.get("hinge")([0, 1, 2], np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        losses.get("binary_crossentropy")([-1, 1], np.full((2, 1), 0.5))
    with pytest.raises(ValueError, match="NaN"):
        losses.get("mse")([np.nan, 1.0], np.zeros((2, 1)))


def test_negative_targets_for_poisson_and_msle_are_clamped_not_rejected():
    # Keras 3 clamps (msle: max(y, eps)) or computes as is (poisson); fastnn follows it
    p = np.array([[0.5], [2.0]])
    assert np.isfinite(losses.get("msle")([-1.0, 1.0], p))
    assert np.isfinite(losses.get("poisson")([-1.0, 1.0], p))


def test_categorical_crossentropy_on_one_unit_warns_like_keras():
    from fastnn import Dense, Sequential

    model = Sequential([Dense(1, input_dim=2, activation="sigmoid")])
    model.compile("sgd", "categorical_crossentropy")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(np.random.rand(4, 2), np.ones(4), verbose=0)
    assert any("1-unit output" in str(w.message) for w in caught)
