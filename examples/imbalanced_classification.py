'''keras-io's "Imbalanced classification: credit card fraud detection" (fchollet), with only its
imports changed to fastnn: confusion-matrix metrics in compile (FalseNegatives, FalsePositives,
TrueNegatives, TruePositives, Precision, Recall), class_weight, validation_data and a
ModelCheckpoint. The Kaggle credit-card file is not on this machine (no internet), so the data is
a synthetic stand-in of its shape: 30 features, about 0.2% positives.
    python examples/imbalanced_classification.py        (EPOCHS=3 for a short run)
'''
import os

import numpy as np

import fastnn as keras                                   # was: import keras


def load_creditcard_like(n=60000, seed=0):
    """Stand-in for creditcard.csv: 28 PCA-like features, Time and Amount, and a rare Class."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 30))
    features[:, 0] = np.sort(rng.uniform(0, 172792, n))  # Time
    features[:, 29] = rng.lognormal(3, 1.5, n)  # Amount
    score = features[:, 1:8] @ np.array([1.5, -1.0, 2.0, 0.5, -1.5, 1.0, 0.8]) - 9.5 + rng.normal(size=n)
    targets = (score > 0).astype("uint8").reshape(-1, 1)
    return features.astype("float32"), targets


features, targets = load_creditcard_like()
print("features.shape:", features.shape)
print("targets.shape:", targets.shape)

num_val_samples = int(len(features) * 0.2)
train_features = features[:-num_val_samples]
train_targets = targets[:-num_val_samples]
val_features = features[-num_val_samples:]
val_targets = targets[-num_val_samples:]

print("Number of training samples:", len(train_features))
print("Number of validation samples:", len(val_features))

counts = np.bincount(train_targets[:, 0])
print(
    "Number of positive samples in training data: {} ({:.2f}% of total)".format(
        counts[1], 100 * float(counts[1]) / len(train_targets)
    )
)

weight_for_0 = 1.0 / counts[0]
weight_for_1 = 1.0 / counts[1]

mean = np.mean(train_features, axis=0)
train_features -= mean
val_features -= mean
std = np.std(train_features, axis=0)
train_features /= std
val_features /= std

model = keras.Sequential(
    [
        keras.Input(shape=train_features.shape[1:]),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
model.summary()

metrics = [
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
]

model.compile(
    optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=metrics
)

callbacks = [keras.callbacks.ModelCheckpoint("fraud_model_at_epoch_{epoch}.keras")]
class_weight = {0: weight_for_0, 1: weight_for_1}

model.fit(
    train_features,
    train_targets,
    batch_size=2048,
    epochs=int(os.environ.get("EPOCHS", 30)),
    verbose=2,
    callbacks=callbacks,
    validation_data=(val_features, val_targets),
    class_weight=class_weight,
)
