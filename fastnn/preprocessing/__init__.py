"""keras.preprocessing as Keras 2 scripts import it (Keras 3 removed it): text.Tokenizer and
sequence.pad_sequences, for the Dense-stack examples that turn newswires or reviews into bag-of-
words rows (Keras's reuters_mlp.py: Tokenizer(num_words).sequences_to_matrix(x, mode='binary'))."""
from . import sequence, text  # noqa: F401
