'''Keras's classic MNIST MLP example (keras/examples/mnist_mlp.py, Keras 2), with only its imports
changed to fastnn. The data comes from fastnn.datasets.mnist, which downloads Keras's mnist.npz into
Keras's cache (~/.keras/datasets) or uses the copy already there; on a machine without internet
and without that file, the script falls back to a synthetic stand-in of the same shape: 28x28
"digits", each class a random stroke pattern, drawn with pixel noise and shifts.
    python examples/mnist_mlp.py             (EPOCHS=3 python examples/mnist_mlp.py for a short run)
'''
from __future__ import print_function

import os

import numpy as np

import fastnn as keras                          # was: import keras
from fastnn.models import Sequential            # was: from keras.models import Sequential
from fastnn.layers import Dense, Dropout        # was: from keras.layers import Dense, Dropout
from fastnn.optimizers import RMSprop           # was: from keras.optimizers import RMSprop
from fastnn.datasets import mnist               # was: from keras.datasets import mnist


def synthetic_load_data(n_train=60000, n_test=10000, seed=0):
    """A stand-in for keras.datasets.mnist.load_data(): uint8 images (N, 28, 28) and labels 0-9."""
    rng = np.random.default_rng(seed)
    shared = rng.random((28, 28)) < 0.12  # every "digit" shares most strokes ...
    prototypes = (shared | (rng.random((10, 28, 28)) < 0.03)) * 255.0  # ... and differs in a few

    def draw(n):
        labels = rng.integers(0, 10, n)
        images = prototypes[labels] * (rng.random((n, 28, 28)) < 0.5)  # half the strokes drop out
        shifts = rng.integers(-1, 2, (n, 2))
        for axis in (0, 1):  # jitter by a pixel, as handwriting does
            for s in (-1, 1):
                rows = shifts[:, axis] == s
                images[rows] = np.roll(images[rows], s, axis=axis + 1)
        images += rng.normal(0, 90, images.shape)
        return np.clip(images, 0, 255).astype(np.uint8), labels

    return draw(n_train), draw(n_test)


batch_size = 128
num_classes = 10
epochs = int(os.environ.get("EPOCHS", 20))

# the data, split between train and test sets
try:
    (x_train, y_train), (x_test, y_test) = mnist.load_data()
except OSError as exc:  # no internet and no cached mnist.npz (not in Keras's script)
    print(f"MNIST unavailable ({str(exc).split('(')[0].strip()}); using the synthetic stand-in.")
    (x_train, y_train), (x_test, y_test) = synthetic_load_data()

x_train = x_train.reshape(60000, 784)
x_test = x_test.reshape(10000, 784)
x_train = x_train.astype('float32')
x_test = x_test.astype('float32')
x_train /= 255
x_test /= 255
print(x_train.shape[0], 'train samples')
print(x_test.shape[0], 'test samples')

# convert class vectors to binary class matrices
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = Sequential()
model.add(Dense(512, activation='relu', input_shape=(784,)))
model.add(Dropout(0.2))
model.add(Dense(512, activation='relu'))
model.add(Dropout(0.2))
model.add(Dense(num_classes, activation='softmax'))

model.summary()

model.compile(loss='categorical_crossentropy',
              optimizer=RMSprop(),
              metrics=['accuracy'])

history = model.fit(x_train, y_train,
                    batch_size=batch_size,
                    epochs=epochs,
                    verbose=1,
                    validation_data=(x_test, y_test))
score = model.evaluate(x_test, y_test, verbose=0)
print('Test loss:', score[0])
print('Test accuracy:', score[1])
