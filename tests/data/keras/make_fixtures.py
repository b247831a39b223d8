"""Writes the Keras model files that tests/test_keras_import.py loads, with Keras's own
predictions beside them. Run with Keras 3 installed (pip install 'fastnn[perf]'):

    KERAS_BACKEND=jax python tests/data/keras/make_fixtures.py

The files are committed, so the tests need no Keras: they check fastnn's loader against what
Keras wrote and predicted.
"""
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
import keras  # noqa: E402
import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent


def mlp():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((5,)), keras.layers.Dense(16, activation="relu"), keras.layers.BatchNormalization(),
        keras.layers.Dropout(0.2), keras.layers.Dense(8, activation="tanh"), keras.layers.LayerNormalization(),
        keras.layers.Dense(3, activation="softmax")], name="mlp")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def kinds():
    keras.utils.set_random_seed(1)
    return keras.Sequential([
        keras.Input((4, 3)), keras.layers.Flatten(), keras.layers.Dense(10, use_bias=False),
        keras.layers.LeakyReLU(negative_slope=0.1), keras.layers.PReLU(alpha_initializer="random_uniform"),
        keras.layers.GaussianNoise(0.1), keras.layers.Dense(6, activation="gelu"), keras.layers.Activation("selu"),
        keras.layers.BatchNormalization(center=False), keras.layers.Dense(1, activation="sigmoid")], name="kinds")


def functional():
    # Keras 3's functional style for a chain: a named Input, named layers; and a model that branches
    keras.utils.set_random_seed(2)
    inputs = keras.Input((5,), name="features")
    x = keras.layers.Dense(12, activation="relu", name="hidden")(inputs)
    x = keras.layers.Dropout(0.1)(x)
    x = keras.layers.BatchNormalization()(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    chain = keras.Model(inputs, outputs, name="chain")
    chain.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    a = keras.layers.Dense(4)(inputs)
    b = keras.layers.Dense(4)(inputs)
    branched = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Add()([a, b])), name="branched")
    return chain, branched


def add_functional(x, expected):
    chain, branched = functional()
    labels = np.random.default_rng(3).integers(0, 3, len(x))
    chain.fit(x, labels, epochs=2, batch_size=16, verbose=0)
    chain.save(HERE / "functional.keras")
    chain.save(HERE / "functional_legacy.h5")
    branched.save(HERE / "branched.keras")
    return {**expected, "functional": chain.predict(x, verbose=0)}


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 5)).astype("float32")
    y = keras.utils.to_categorical(rng.integers(0, 3, 64), 3)
    model = mlp()
    model.fit(x, y, epochs=3, batch_size=16, verbose=0)
    model.save(HERE / "mlp.keras")
    model.save(HERE / "mlp_legacy.h5")
    model.save_weights(HERE / "mlp.weights.h5")
    xk = rng.normal(size=(32, 4, 3)).astype("float32")
    other = kinds()
    other.compile(optimizer="sgd", loss="binary_crossentropy")
    other.fit(xk, (xk.sum(axis=(1, 2)) > 0).astype("float32"), epochs=2, verbose=0)
    other.save(HERE / "kinds.keras")
    lam = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: t * 2.0), keras.layers.Dense(1)])
    lam.save(HERE / "lambda.keras")
    expected = dict(x=x, mlp=model.predict(x, verbose=0), xk=xk, kinds=other.predict(xk, verbose=0),
                    keras_version=keras.__version__)
    np.savez(HERE / "expected.npz", **add_functional(x, expected))


if __name__ == "__main__":
    main()
