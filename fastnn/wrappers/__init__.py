"""Keras 2's keras.wrappers package: `from fastnn.wrappers.scikit_learn import KerasClassifier`."""
