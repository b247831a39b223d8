'''The classic Keras 2 tutorial "grid search hyperparameters with scikit-learn" (the Pima Indians
diabetes MLP wrapped in keras.wrappers.scikit_learn.KerasClassifier), with only its imports
changed to fastnn. Keras 3 removed these wrappers, so the original fails on today's Keras.
fastnn ships no Pima download (no internet here), so the data is a synthetic stand-in of the same
shape: 768 rows, 8 positive clinical-like features, a 0/1 outcome.
    python examples/keras2_grid_search.py          (QUICK=1 for a smaller grid)
'''
import os

import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from fastnn.models import Sequential                          # was: from keras.models import Sequential
from fastnn.layers import Dense                               # was: from keras.layers import Dense
from fastnn.wrappers.scikit_learn import KerasClassifier      # was: from keras.wrappers.scikit_learn import ...


def pima_like(seed=7):
    rng = np.random.default_rng(seed)
    X = np.abs(rng.normal([3.8, 121, 69, 20, 80, 32, 0.47, 33], [3.4, 32, 19, 16, 115, 7.9, 0.33, 11.8], (768, 8)))
    risk = 0.03 * (X[:, 1] - 121) + 0.08 * (X[:, 5] - 32) + 0.03 * (X[:, 7] - 33) + rng.logistic(size=768) - 0.6
    return X, (risk > 0).astype(float)


# Function to create model, required for KerasClassifier
def create_model(optimizer='rmsprop', init='glorot_uniform'):
    # create model
    model = Sequential()
    model.add(Dense(12, input_dim=8, kernel_initializer=init, activation='relu'))
    model.add(Dense(8, kernel_initializer=init, activation='relu'))
    model.add(Dense(1, kernel_initializer=init, activation='sigmoid'))
    # Compile model
    model.compile(loss='binary_crossentropy', optimizer=optimizer, metrics=['accuracy'])
    return model


# fix random seed for reproducibility
seed = 7
np.random.seed(seed)
X, Y = pima_like(seed)

# evaluate one configuration with 10-fold cross validation
model = KerasClassifier(build_fn=create_model, epochs=150, batch_size=10, verbose=0)
kfold = StratifiedKFold(n_splits=10, shuffle=True, random_state=seed)
results = cross_val_score(model, X, Y, cv=kfold)
print("cross_val_score: %.4f (%.4f)" % (results.mean(), results.std()))

# grid search epochs, batch size, optimizer and initializer
model = KerasClassifier(build_fn=create_model, verbose=0)
optimizers = ['rmsprop', 'adam']
inits = ['glorot_uniform', 'normal', 'uniform']
epochs = [50, 100, 150]
batches = [5, 10, 20]
if os.environ.get("QUICK"):
    inits, epochs, batches = inits[:2], [20], [10]
param_grid = dict(optimizer=optimizers, epochs=epochs, batch_size=batches, init=inits)
grid = GridSearchCV(estimator=model, param_grid=param_grid, cv=3)
grid_result = grid.fit(X, Y)
# summarize results
print("Best: %f using %s" % (grid_result.best_score_, grid_result.best_params_))
means = grid_result.cv_results_['mean_test_score']
stds = grid_result.cv_results_['std_test_score']
params = grid_result.cv_results_['params']
for mean, stdev, param in zip(means, stds, params):
    print("%f (%f) with: %r" % (mean, stdev, param))
