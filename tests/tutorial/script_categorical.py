import numpy as np
from fastnn.models import Sequential          # was: from keras.models import Sequential
from fastnn.layers import Dense, Activation   # was: from keras.layers import Dense, Activation
from fastnn.utils import np_utils             # was: from keras.utils import np_utils

data = np.random.rand(250, 5)
labels = np_utils.to_categorical((np.sum(data, axis=1) > 2.5) * 1)
model = Sequential()
model.add(Dense(20, input_dim=5, activation='relu'))
model.add(Dense(2, activation='softmax'))
model.compile('rmsprop', 'categorical_crossentropy', metrics=['accuracy'])
model.fit(data, labels, nb_epoch=150, validation_split=0.2)
