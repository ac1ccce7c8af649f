"""Tests for helpers.vocab.CharVocab: ids, unknown handling, one-hot, JSON and files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.vocab import UNKNOWN_CHAR, UNKNOWN_ID, UNKNOWN_TOKEN, CharVocab

# Any character except the one reserved for unknown ids (surrogates are excluded by st.text).
chars_st = st.characters(blacklist_characters=UNKNOWN_CHAR)
vocab_st = st.sets(chars_st, min_size=1, max_size=40).map(lambda s: CharVocab(sorted(s)))


@st.composite
def vocab_and_text(draw, min_size=0):
    vocab = draw(vocab_st)
    text = draw(st.text(alphabet=st.sampled_from(vocab.chars), min_size=min_size, max_size=80))
    return vocab, text


# --- construction ----------------------------------------------------------------------------


def test_from_text_sorts_the_distinct_characters_after_the_unknown_id():
    vocab = CharVocab.from_text("abca")
    assert vocab.chars == ("a", "b", "c")
    assert vocab.size == len(vocab) == 4
    assert vocab.encode("cab?").tolist() == [3, 1, 2, 0]
    assert vocab.decode([3, 1, 2, 0]) == "cab" + UNKNOWN_CHAR


def test_from_text_accepts_an_iterable_of_strings_and_drops_the_replacement_char():
    assert CharVocab.from_text(["ba", "c", UNKNOWN_CHAR]).chars == ("a", "b", "c")


@given(text=st.text(min_size=1, max_size=200))
def test_from_text_knows_exactly_the_characters_of_the_text(text):
    if set(text) == {UNKNOWN_CHAR}:
        with pytest.raises(ValueError, match="chars is empty"):
            CharVocab.from_text(text)
        return
    vocab = CharVocab.from_text(text)
    assert set(vocab.chars) == set(text) - {UNKNOWN_CHAR}
    assert list(vocab.chars) == sorted(vocab.chars)


def test_from_text_rejects_an_empty_text():
    with pytest.raises(ValueError, match="text is empty; build the vocabulary from a non-empty"):
        CharVocab.from_text("")


@pytest.mark.parametrize(
    ("chars", "message"),
    [
        ([], "chars is empty"),
        (["a", "bc"], r"chars must hold single characters, got 'bc'"),
        (["a", ""], r"chars must hold single characters, got ''"),
        (["a", 1], r"chars must hold single characters, got 1"),
        (["a", "b", "a"], r"chars holds duplicates \['a'\]"),
        (["a", UNKNOWN_CHAR], r"U\+FFFD.*reserved for unknown ids"),
    ],
)
def test_constructor_rejects_bad_character_lists(chars, message):
    with pytest.raises(ValueError, match=message):
        CharVocab(chars)


def test_constructor_keeps_the_given_order():
    vocab = CharVocab(["z", "a"])
    assert vocab.encode("az").tolist() == [2, 1]


# --- encode / decode -------------------------------------------------------------------------


@settings(max_examples=150)
@given(vocab_and_text())
def test_decode_inverts_encode_for_text_from_the_vocabulary(case):
    vocab, text = case
    ids = vocab.encode(text)
    assert ids.dtype == np.int32 and ids.shape == (len(text),)
    assert ((ids >= 1) & (ids < vocab.size)).all()
    assert vocab.decode(ids) == text
    assert vocab.encode(text, strict=True).tolist() == ids.tolist()


def test_round_trip_keeps_a_nul_character():
    vocab = CharVocab.from_text("a\x00b")
    assert vocab.decode(vocab.encode("a\x00b\x00")) == "a\x00b\x00"


@given(vocab=vocab_st, text=st.text(alphabet=chars_st, max_size=80))
def test_unknown_characters_map_to_id_zero(vocab, text):
    ids = vocab.encode(text)
    for char, i in zip(text, ids.tolist(), strict=True):
        if char in vocab:
            assert vocab.chars[i - 1] == char
        else:
            assert i == UNKNOWN_ID
    assert vocab.unknown_chars(text) == sorted({c for c in text if c not in vocab})


def test_decoding_the_unknown_id_gives_the_replacement_character(tiny_vocab):
    assert tiny_vocab.decode(np.zeros(3, dtype=np.int64)) == UNKNOWN_CHAR * 3
    assert tiny_vocab.decode(np.array([0, 1], dtype=np.uint8)) == UNKNOWN_CHAR + tiny_vocab.chars[0]


def test_strict_encode_names_the_argument_and_the_unknown_characters(tiny_vocab):
    with pytest.raises(
        ValueError,
        match=r"prompt='JULIET~' holds characters that are not in the "
        r"vocabulary: \['E', 'I', 'J', 'L', 'T', 'U', '~'\]",
    ):
        tiny_vocab.encode("JULIET~", strict=True, name="prompt")


def test_strict_encode_shortens_a_long_text_in_the_message(tiny_vocab):
    with pytest.raises(ValueError, match=r"text='#{40}\.\.\.' holds characters"):
        tiny_vocab.encode("#" * 100, strict=True)


def test_encode_rejects_a_non_string(tiny_vocab):
    with pytest.raises(TypeError, match="text must be a str, got list"):
        tiny_vocab.encode(["a", "b"])


def test_decode_of_nothing_is_the_empty_string(tiny_vocab):
    assert tiny_vocab.decode([]) == ""
    assert tiny_vocab.encode("").shape == (0,)


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        ([[1, 2]], r"ids must be one-dimensional, got shape \(1, 2\)"),
        ([1.0, 2.0], "ids must be integers, got dtype float64"),
        ([1, 99], r"ids holds 99, outside \[0, 31\) for this vocabulary of size 31"),
        ([-1], r"ids holds -1, outside \[0, 31\)"),
    ],
)
def test_decode_rejects_ids_that_do_not_fit(tiny_vocab, ids, message):
    assert tiny_vocab.size == 31
    with pytest.raises(ValueError, match=message):
        tiny_vocab.decode(ids)


def test_ids_agree_with_keras_string_lookup(tiny_vocab, tiny_text):
    import keras
    import tensorflow as tf

    lookup = keras.layers.StringLookup(vocabulary=list(tiny_vocab.chars), num_oov_indices=1)
    text = tiny_text + "~Zq"  # three characters outside the vocabulary
    keras_ids = lookup(tf.strings.unicode_split(text, "UTF-8")).numpy()
    assert keras_ids.tolist() == tiny_vocab.encode(text).tolist()
    assert lookup.vocabulary_size() == tiny_vocab.size
    assert lookup.get_vocabulary()[UNKNOWN_ID] == UNKNOWN_TOKEN


# --- one-hot ---------------------------------------------------------------------------------


@given(vocab=vocab_st, text=st.text(alphabet=chars_st, max_size=60))
def test_one_hot_rows_are_one_hot_with_argmax_equal_to_the_id(vocab, text):
    matrix = vocab.one_hot(text)
    assert matrix.dtype == np.float32
    assert matrix.shape == (len(text), vocab.size)
    assert set(np.unique(matrix).tolist()) <= {0.0, 1.0}
    assert (matrix.sum(axis=1) == 1).all()
    assert matrix.argmax(axis=1).tolist() == vocab.encode(text).tolist()


# --- JSON and files --------------------------------------------------------------------------


@given(vocab=vocab_st)
def test_json_round_trip_preserves_the_vocabulary(vocab):
    again = CharVocab.from_json(vocab.to_json())
    assert again == vocab
    assert again.chars == vocab.chars
    assert hash(again) == hash(vocab)


@settings(max_examples=30)
@given(vocab=vocab_st)
def test_save_and_load_preserve_the_vocabulary(tmp_path_factory, vocab):
    path = tmp_path_factory.mktemp("vocab") / "vocab.json"
    assert vocab.save(path) == path
    assert CharVocab.load(path) == vocab
    assert CharVocab.load(str(path)).chars == vocab.chars


def test_json_is_readable_and_names_the_unknown_token(tiny_vocab):
    payload = json.loads(tiny_vocab.to_json())
    assert payload["unknown_token"] == UNKNOWN_TOKEN
    assert payload["unknown_id"] == UNKNOWN_ID
    assert payload["chars"] == list(tiny_vocab.chars)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", r"data is not valid JSON \(.*\); is this a vocabulary file\?"),
        ('["a", "b"]', "data is not a character vocabulary"),
        ('{"format": "something-else", "chars": ["a"]}', "data is not a character vocabulary"),
        (
            '{"format": "rnn-course-pack/char-vocab", "version": 2, "chars": ["a"]}',
            "vocabulary version 2 is not supported",
        ),
    ],
)
def test_from_json_rejects_documents_that_are_not_vocabularies(data, message):
    with pytest.raises(ValueError, match=message):
        CharVocab.from_json(data)


def test_load_rejects_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"path='.*missing\.json': no vocabulary file"):
        CharVocab.load(tmp_path / "missing.json")


# --- small methods ---------------------------------------------------------------------------


def test_equality_membership_and_repr():
    vocab = CharVocab.from_text("hello")
    assert vocab == CharVocab(["e", "h", "l", "o"])
    assert vocab != CharVocab(["e", "h", "l"])
    assert vocab != ("e", "h", "l", "o")
    assert "h" in vocab and "z" not in vocab and UNKNOWN_CHAR not in vocab
    assert repr(vocab) == "CharVocab(size=5, chars='ehlo')"
    long = CharVocab.from_text("abcdefghijklmnopqrstuvwxyz")
    assert repr(long) == "CharVocab(size=27, chars='abcdefghijklmnopqrst'...)"


def test_a_vocabulary_with_a_lone_surrogate_saves_and_loads_exactly(tmp_path):
    vocab = CharVocab(["a", "\ud800", "é"])  # found by hypothesis: not encodable as UTF-8
    vocab.save(tmp_path / "v.json")
    assert CharVocab.load(tmp_path / "v.json").chars == vocab.chars
