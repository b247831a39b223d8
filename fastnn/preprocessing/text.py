"""keras.preprocessing.text (Keras 2): text_to_word_sequence and Tokenizer, with Keras 2's rules
(word ids from 1 by descending count, ties in first-seen order; num_words keeps ids below it;
sequences_to_matrix's binary, count, freq and tfidf modes)."""
from collections import OrderedDict, defaultdict

import numpy as np

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=FILTERS, lower=True, split=" "):
    """The words of a text: lower-cased, the filter characters turned into separators, split."""
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in input_text.split(split) if w]


class Tokenizer:
    """Word ids for texts, fitted on a corpus (Keras 2's keras.preprocessing.text.Tokenizer)."""

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False, oov_token=None,
                 analyzer=None, document_count=0, **kwargs):
        nb_words = kwargs.pop("nb_words", None)  # Keras 1's spelling
        if nb_words is not None and num_words is None:
            num_words = nb_words
        if kwargs:
            raise TypeError(f"Tokenizer got unexpected argument(s): {sorted(kwargs)}.")
        if num_words is not None and (isinstance(num_words, bool) or not isinstance(num_words, (int, np.integer))
                                      or num_words < 1):
            raise ValueError(f"Tokenizer: num_words must be a positive integer or None, got {num_words!r}.")
        self.num_words, self.filters, self.lower, self.split = num_words, filters, lower, split
        self.char_level, self.oov_token, self.analyzer = char_level, oov_token, analyzer
        self.document_count = document_count
        self.word_counts = OrderedDict()
        self.word_docs = defaultdict(int)
        self.index_docs = defaultdict(int)
        self.word_index, self.index_word = {}, {}

    def _words(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        if not isinstance(text, str):
            raise TypeError(f"Tokenizer: texts must be strings (or lists of words), got {type(text).__name__}.")
        return text_to_word_sequence(text, self.filters, self.lower, self.split)

    def fit_on_texts(self, texts):
        """Count the words of every text and number them: 1 for the most frequent (after oov_token)."""
        if isinstance(texts, str):
            raise TypeError("Tokenizer.fit_on_texts takes a list of texts, not one string.")
        for text in texts:
            self.document_count += 1
            words = self._words(text)
            for w in words:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(words):
                self.word_docs[w] += 1
        ranked = sorted(self.word_counts.items(), key=lambda item: item[1], reverse=True)  # stable: ties keep order
        vocabulary = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in ranked]
        self.word_index = {w: i for i, w in enumerate(vocabulary, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in self.word_docs.items():
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Document counts per word id, for tfidf on sequences that are already ids."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        """Each text as its word ids; words without an id (or with one >= num_words) are dropped, or
        become oov_token's id when there is one."""
        if isinstance(texts, str):
            raise TypeError("Tokenizer.texts_to_sequences takes a list of texts, not one string.")
        oov = self.word_index.get(self.oov_token)
        out = []
        for text in texts:
            ids = []
            for w in self._words(text):
                i = self.word_index.get(w)
                if i is not None and not (self.num_words and i >= self.num_words):
                    ids.append(i)
                elif oov is not None:
                    ids.append(oov)
            out.append(ids)
        return out

    def sequences_to_texts(self, sequences):
        oov = self.word_index.get(self.oov_token)
        texts = []
        for seq in sequences:
            words = []
            for i in seq:
                w = self.index_word.get(i)
                if w is not None and not (self.num_words and i >= self.num_words):
                    words.append(w)
                elif oov is not None:
                    words.append(self.index_word[oov])
            texts.append(" ".join(words))
        return texts

    def texts_to_matrix(self, texts, mode="binary"):
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """(len(sequences), num_words) float64 rows: per word id, 1 (binary), its count, its count over
        the sequence's length (freq), or (1 + log count) * log(1 + documents / (1 + its documents))
        (tfidf). Ids >= num_words are left out."""
        if mode not in MODES:
            raise ValueError(f"Tokenizer: unknown mode {mode!r}; use one of {list(MODES)}.")
        num_words = self.num_words or (len(self.word_index) + 1 if self.word_index else None)
        if num_words is None:
            raise ValueError("Tokenizer: give num_words=, or fit on some texts first, to size the matrix.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer: fit on some texts (or sequences) before using mode='tfidf'.")
        x = np.zeros((len(sequences), num_words))
        for row, seq in enumerate(sequences):
            if len(seq) == 0:
                continue
            counts = defaultdict(int)
            for j in seq:
                if 0 <= j < num_words:
                    counts[j] += 1
            for j, c in counts.items():
                if mode == "binary":
                    x[row, j] = 1
                elif mode == "count":
                    x[row, j] = c
                elif mode == "freq":
                    x[row, j] = c / len(seq)
                else:
                    x[row, j] = (1 + np.log(c)) * np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
        return x
