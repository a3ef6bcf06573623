"""``preprocessing.text``: tf.keras 2's text utilities.

`Tokenizer` (vocabulary by frequency, sequences, bag-of-words matrices,
JSON round trip with `tokenizer_from_json`), `text_to_word_sequence`,
`one_hot` and `hashing_trick`, with tf.keras 2's defaults and outputs, so
a tokenizer saved by tf.keras 2's `to_json` loads here and the reverse.
"""

import collections
import hashlib
import json
import warnings

import numpy as np

_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=_FILTERS, lower=True,
                          split=" "):
    """Splits a text into words, dropping the `filters` characters.

    Args:
        input_text: the text.
        filters: characters replaced by `split` (punctuation, tabs and
            newlines by default).
        lower: lower-case the text first.
        split: word separator.

    Returns:
        The list of non-empty words.

    Examples:
        >>> text_to_word_sequence("This is a sample sentence.")
        ['this', 'is', 'a', 'sample', 'sentence']
    """
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(
        str.maketrans({c: split for c in filters}))
    return [word for word in input_text.split(split) if word]


def one_hot(input_text, n, filters=_FILTERS, lower=True, split=" ",
            analyzer=None):
    """`hashing_trick` with Python's `hash` (not stable across runs).

    Returns:
        A list of integers in ``[1, n)``, one per word.
    """
    return hashing_trick(input_text, n, hash_function=hash, filters=filters,
                         lower=lower, split=split, analyzer=analyzer)


def hashing_trick(text, n, hash_function=None, filters=_FILTERS, lower=True,
                  split=" ", analyzer=None):
    """Maps each word of `text` to ``hash(word) % (n - 1) + 1``.

    Args:
        text: the text.
        n: size of the hashing space (index 0 is never used).
        hash_function: `None` (Python's `hash`, which changes between runs
            unless `PYTHONHASHSEED` is set), `"md5"` (stable), or a
            function from a word to an int.
        filters, lower, split: as in `text_to_word_sequence`.
        analyzer: function splitting a text into words, replacing
            `text_to_word_sequence`.

    Returns:
        A list of integer word indices (collisions are possible).

    Examples:
        >>> hashing_trick("the cat the", 100, hash_function="md5")
        [51, 3, 51]
    """
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        hash_function = _md5_int
    words = analyzer(text) if analyzer is not None else (
        text_to_word_sequence(text, filters=filters, lower=lower,
                              split=split))
    return [hash_function(w) % (n - 1) + 1 for w in words]


def _md5_int(word):
    return int(hashlib.md5(word.encode()).hexdigest(), 16)


class Tokenizer:
    """Text tokenization utility (tf.keras 2).

    Builds a vocabulary ranked by word frequency (`fit_on_texts`); index 0
    is reserved and never assigned; an `oov_token`, if given, gets index 1.
    Texts then become lists of indices (`texts_to_sequences`) or
    bag-of-words matrices (`texts_to_matrix`).

    Args:
        num_words: keep only the `num_words - 1` most frequent words when
            converting (the vocabulary itself keeps all).
        filters: characters removed from texts (punctuation, tabs and
            newlines, not ``'``).
        lower: lower-case texts.
        split: word separator.
        char_level: every character is a token.
        oov_token: token standing for out-of-vocabulary words.
        analyzer: function splitting a text into tokens, replacing
            `text_to_word_sequence`.

    Examples:
        >>> tokenizer = Tokenizer()
        >>> tokenizer.fit_on_texts(["the cat", "the dog sat"])
        >>> tokenizer.word_index
        {'the': 1, 'cat': 2, 'dog': 3, 'sat': 4}
        >>> tokenizer.texts_to_sequences(["the dog ran"])
        [[1, 3]]
    """

    def __init__(self, num_words=None, filters=_FILTERS, lower=True,
                 split=" ", char_level=False, oov_token=None, analyzer=None,
                 **kwargs):
        if "nb_words" in kwargs:
            warnings.warn("The `nb_words` argument in `Tokenizer` has been "
                          "renamed `num_words`.", stacklevel=2)
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Unrecognized keyword arguments: {kwargs}")
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.filters = filters
        self.split = split
        self.lower = lower
        self.num_words = num_words
        self.document_count = document_count
        self.char_level = char_level
        self.oov_token = oov_token
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}
        self.analyzer = analyzer

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = ([t.lower() for t in text] if isinstance(text, list)
                        else text.lower())
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters,
                                     lower=self.lower, split=self.split)

    def fit_on_texts(self, texts):
        """Updates the vocabulary from texts (or lists of tokens)."""
        for text in texts:
            self.document_count += 1
            tokens = self._tokens(text)
            for w in tokens:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(tokens):
                self.word_docs[w] += 1
        counts = sorted(self.word_counts.items(), key=lambda wc: wc[1],
                        reverse=True)  # stable: ties keep first-seen order
        vocabulary = [] if self.oov_token is None else [self.oov_token]
        vocabulary.extend(w for w, _ in counts)
        self.word_index = {w: i for i, w in enumerate(vocabulary, 1)}
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in list(self.word_docs.items()):
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Updates document counts from lists of word indices."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        """Converts each text to a list of word indices."""
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        """Yields, for each text, its list of word indices.

        Words ranked `num_words` or beyond, and unknown words, become the
        `oov_token`'s index, or are dropped when there is none.
        """
        oov_index = self.word_index.get(self.oov_token)
        for text in texts:
            vector = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None and not (self.num_words
                                          and i >= self.num_words):
                    vector.append(i)
                elif self.oov_token is not None and (
                        i is None or oov_index is not None):
                    vector.append(oov_index)
            yield vector

    def sequences_to_texts(self, sequences):
        """Converts lists of word indices back to space-joined texts."""
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        """Yields, for each list of word indices, its text."""
        oov_index = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for num in seq:
                word = self.index_word.get(num)
                if word is not None and not (self.num_words
                                             and num >= self.num_words):
                    words.append(word)
                elif self.oov_token is not None and (
                        word is None or oov_index is not None):
                    words.append(self.index_word[oov_index])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        """`sequences_to_matrix` of `texts_to_sequences(texts)`."""
        return self.sequences_to_matrix(
            self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """Bag-of-words matrix of shape ``(len(sequences), num_words)``.

        Args:
            sequences: lists of word indices.
            mode: `"binary"` (presence), `"count"`, `"freq"` (count over
                sequence length) or `"tfidf"` (``(1 + log(count)) *
                log(1 + documents / (1 + documents with the word))``).
        """
        if mode not in _MODES:
            raise ValueError(
                f"`mode` must be one of {_MODES}. Received: mode={mode!r}")
        num_words = self.num_words or len(self.word_index) + 1
        if not self.num_words and not self.word_index:
            raise ValueError("Specify a dimension (`num_words` argument), "
                             "or fit on some text data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError(
                "Fit the Tokenizer on some data before using tfidf mode.")
        x = np.zeros((len(sequences), num_words))
        for i, seq in enumerate(sequences):
            counts = collections.Counter(j for j in seq if j < num_words)
            for j, c in counts.items():
                x[i][j] = self._weight(mode, c, len(seq), j)
        return x

    def _weight(self, mode, count, length, index):
        if mode == "count":
            return count
        if mode == "freq":
            return count / length
        if mode == "binary":
            return 1
        tf = 1 + np.log(count)
        idf = np.log(1 + self.document_count
                     / (1 + self.index_docs.get(index, 0)))
        return tf * idf

    def get_config(self):
        """The configuration, with the vocabulary tables as JSON strings."""
        return {
            "num_words": self.num_words,
            "filters": self.filters,
            "lower": self.lower,
            "split": self.split,
            "char_level": self.char_level,
            "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts),
            "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs),
            "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        """``{"class_name": "Tokenizer", "config": ...}`` as a JSON string.

        Args:
            **kwargs: passed to `json.dumps`.
        """
        return json.dumps({"class_name": type(self).__name__,
                           "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """Builds a `Tokenizer` from `Tokenizer.to_json` output (tf.keras 2's
    too)."""
    config = dict(json.loads(json_string).get("config"))
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    index_docs = json.loads(config.pop("index_docs"))
    index_word = json.loads(config.pop("index_word"))
    word_index = json.loads(config.pop("word_index"))
    tokenizer = Tokenizer(**config)
    tokenizer.word_counts = collections.OrderedDict(word_counts)
    # JSON turned the integer keys into strings; the counts stay
    # defaultdicts so that fitting more texts keeps working.
    tokenizer.word_docs = collections.defaultdict(int, word_docs)
    tokenizer.index_docs = collections.defaultdict(
        int, {int(k): v for k, v in index_docs.items()})
    tokenizer.index_word = {int(k): v for k, v in index_word.items()}
    tokenizer.word_index = word_index
    return tokenizer
