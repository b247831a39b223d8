"""fastnn.preprocessing (Keras 2's keras.preprocessing, removed in Keras 3): Tokenizer and
pad_sequences, against hand-computed values on a three-document corpus."""
import math

import numpy as np
import pytest

import fastnn
from fastnn.preprocessing.sequence import pad_sequences
from fastnn.preprocessing.text import Tokenizer, text_to_word_sequence

CORPUS = ["The cat sat.", "the cat, the hat!", "a dog"]


def test_word_ids_follow_counts_then_first_appearance():
    t = Tokenizer(num_words=5)
    t.fit_on_texts(CORPUS)
    # counts: the 3, cat 2, then sat, hat, a, dog once each, in the order first seen
    assert t.word_index == {"the": 1, "cat": 2, "sat": 3, "hat": 4, "a": 5, "dog": 6}
    assert t.document_count == 3 and t.word_counts["the"] == 3 and t.word_docs["the"] == 2
    # num_words=5 keeps ids 1-4: dog (6) and the unknown 'on' are dropped
    assert t.texts_to_sequences(["the dog sat on the hat"]) == [[1, 3, 1, 4]]
    assert t.sequences_to_texts([[1, 3, 1, 4, 6]]) == ["the sat the hat"]
    with_oov = Tokenizer(num_words=5, oov_token="<oov>")
    with_oov.fit_on_texts(CORPUS)
    assert with_oov.word_index["<oov>"] == 1 and with_oov.word_index["the"] == 2
    assert with_oov.texts_to_sequences(["the dog on"]) == [[2, 1, 1]]
    assert text_to_word_sequence("Hello, World!  Hi") == ["hello", "world", "hi"]


def test_sequences_to_matrix_modes():
    t = Tokenizer(num_words=5)
    t.fit_on_texts(CORPUS)
    x = ["the the cat", "dog"]  # dog's id (6) is >= num_words: its row stays empty
    np.testing.assert_array_equal(t.texts_to_matrix(x, mode="binary"), [[0, 1, 1, 0, 0], [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(t.texts_to_matrix(x, mode="count"), [[0, 2, 1, 0, 0], [0, 0, 0, 0, 0]])
    np.testing.assert_allclose(t.texts_to_matrix(x, mode="freq"), [[0, 2 / 3, 1 / 3, 0, 0], [0, 0, 0, 0, 0]])
    # tfidf: (1 + ln count) * ln(1 + documents / (1 + documents holding the word)); 'the' and 'cat' are in 2 of 3
    idf = math.log(1 + 3 / (1 + 2))
    np.testing.assert_allclose(t.texts_to_matrix(x, mode="tfidf")[0], [0, (1 + math.log(2)) * idf, idf, 0, 0])
    sized = Tokenizer()
    sized.fit_on_texts(CORPUS)
    assert sized.texts_to_matrix(["a dog"]).shape == (1, 7)  # no num_words: one column per id, and column 0
    with pytest.raises(ValueError, match="unknown mode 'tf'"):
        t.sequences_to_matrix([[1]], mode="tf")
    with pytest.raises(ValueError, match="give num_words"):
        Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(TypeError, match="not one string"):
        t.fit_on_texts("one text")


def test_reuters_mlp_pipeline_trains_on_the_matrix():
    # keras/examples/reuters_mlp.py's shape: Tokenizer(num_words).sequences_to_matrix(x, mode='binary') -> Dense
    rng = np.random.default_rng(0)
    sequences = [list(rng.integers(1, 50, rng.integers(3, 20))) for _ in range(200)]
    labels = np.array([int(max(s) > 40) for s in sequences])
    x = Tokenizer(num_words=50).sequences_to_matrix(sequences, mode="binary")
    model = fastnn.Sequential([fastnn.Dense(16, input_shape=(50,), activation="relu"),
                               fastnn.Dense(2, activation="softmax")], seed=0)
    model.compile(fastnn.Adam(learning_rate=0.01), "categorical_crossentropy", metrics=["accuracy"])
    h = model.fit(x, fastnn.utils.to_categorical(labels, 2), epochs=30, batch_size=32, verbose=0)
    assert h.history["accuracy"][-1] > 0.95  # the label is whether any of ids 41-49 is present: linear in x


def test_pad_sequences_as_keras():
    seqs = [[1, 2, 3], [4], []]
    np.testing.assert_array_equal(pad_sequences(seqs), [[1, 2, 3], [0, 0, 4], [0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2), [[2, 3], [0, 4], [0, 0]])
    np.testing.assert_array_equal(pad_sequences(seqs, maxlen=2, truncating="post", padding="post", value=-1),
                                  [[1, 2], [4, -1], [-1, -1]])
    assert pad_sequences(seqs).dtype == np.int32 and fastnn.utils.pad_sequences is pad_sequences
    with pytest.raises(ValueError, match="'pre' or 'post'"):
        pad_sequences(seqs, padding="middle")
    with pytest.raises(ValueError, match="maxlen must be a non-negative integer"):
        pad_sequences(seqs, maxlen=-1)
    with pytest.raises(ValueError, match="takes a list of sequences"):
        pad_sequences([1, 2, 3])
    assert pad_sequences([]).shape == (0, 0)


def test_bad_tokenizer_arguments_are_clear_errors():
    for bad in (0, -3, 2.5, float("nan"), "10", True):
        with pytest.raises(ValueError, match="num_words must be a positive integer"):
            Tokenizer(num_words=bad)
    with pytest.raises(TypeError, match="texts must be strings"):
        Tokenizer().fit_on_texts([1.5, None])
    assert Tokenizer(nb_words=7).num_words == 7  # Keras 1's spelling
