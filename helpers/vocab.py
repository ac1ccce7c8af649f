"""A character vocabulary with an unknown token: char <-> id, one-hot, JSON.

Id 0 is reserved for the unknown token, and the known characters follow in
sorted order, ids 1..n. This is the same layout as
``keras.layers.StringLookup(vocabulary=vocab.chars, num_oov_indices=1)``, so
ids and one-hot columns agree with Keras (notebook 01 shows it). Characters
outside the vocabulary encode to 0; decoding 0 gives :data:`UNKNOWN_CHAR`.

A model and its vocabulary travel together: save the vocabulary next to the
``.keras`` file with :meth:`CharVocab.save` and read it back with
:meth:`CharVocab.load`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

UNKNOWN_ID = 0
UNKNOWN_TOKEN = "[UNK]"
"""How the unknown entry is named in listings and JSON (as in ``StringLookup``)."""
UNKNOWN_CHAR = "\ufffd"
"""What an unknown id decodes to: the Unicode replacement character, one character wide."""

_FORMAT = "rnn-course-pack/char-vocab"
_VERSION = 1


class CharVocab:
    """Character vocabulary: ``size = len(chars) + 1`` ids, id 0 meaning unknown.

    Example:
        >>> vocab = CharVocab.from_text("abca")
        >>> vocab.chars
        ('a', 'b', 'c')
        >>> vocab.encode("cab?").tolist()
        [3, 1, 2, 0]
        >>> vocab.decode([3, 1, 2, 0])
        'cab\ufffd'
    """

    def __init__(self, chars: Sequence[str]):
        """Build a vocabulary from known characters (single, distinct, no unknown char).

        Raises:
            ValueError: empty ``chars``, an entry that is not one character, a duplicate,
                or the replacement character (reserved for unknown).
        """
        chars = tuple(chars)
        if not chars:
            raise ValueError("chars is empty; a vocabulary needs at least one character.")
        for char in chars:
            if not isinstance(char, str) or len(char) != 1:
                raise ValueError(
                    f"chars must hold single characters, got {char!r}; split strings into "
                    "characters, e.g. CharVocab.from_text(text)."
                )
        if len(set(chars)) != len(chars):
            seen: set[str] = set()
            dupes = sorted({c for c in chars if c in seen or seen.add(c)})  # linear time
            raise ValueError(f"chars holds duplicates {dupes!r}; each character may appear once.")
        if UNKNOWN_CHAR in chars:
            raise ValueError(
                f"chars holds {UNKNOWN_CHAR!r} (U+FFFD), which is reserved for unknown ids."
            )
        self._chars = chars
        self._ids = {char: i + 1 for i, char in enumerate(chars)}
        # dtype=object: a NumPy str array would drop "\x00" (it strips trailing NULs).
        self._lookup = np.array([UNKNOWN_CHAR, *chars], dtype=object)

    @classmethod
    def from_text(cls, text: str | Iterable[str]) -> CharVocab:
        """Build the vocabulary of every character in ``text`` (sorted by code point).

        Build it from the *training* text only: characters first seen in
        validation or test text then map to unknown, as they would for a real model.

        Raises:
            ValueError: if ``text`` is empty.
        """
        text = "".join(text)
        if not text:
            raise ValueError("text is empty; build the vocabulary from a non-empty text.")
        return cls(sorted(set(text) - {UNKNOWN_CHAR}))

    @property
    def chars(self) -> tuple[str, ...]:
        """The known characters in id order (ids 1..n)."""
        return self._chars

    @property
    def size(self) -> int:
        """Number of ids, unknown included: the one-hot depth and the model's output width."""
        return len(self._chars) + 1

    def __len__(self) -> int:
        return self.size

    def __contains__(self, char: object) -> bool:
        return char in self._ids

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharVocab) and self._chars == other._chars

    def __hash__(self) -> int:
        return hash(self._chars)

    def __repr__(self) -> str:
        shown = "".join(self._chars[:20])
        more = "..." if len(self._chars) > 20 else ""
        return f"CharVocab(size={self.size}, chars={shown!r}{more})"

    def unknown_chars(self, text: str) -> list[str]:
        """Return the distinct characters of ``text`` that are not in the vocabulary, sorted."""
        return sorted(set(text) - set(self._ids))

    def encode(self, text: str, *, strict: bool = False, name: str = "text") -> np.ndarray:
        """Map characters to ids; unknown characters become 0.

        Args:
            text: the text to encode.
            strict: raise instead of mapping unknown characters to 0.
            name: the argument name used in the error message.

        Returns:
            int32 array of shape ``(len(text),)``.

        Raises:
            ValueError: with ``strict=True``, if ``text`` holds characters outside the vocabulary.
        """
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a str, got {type(text).__name__}.")
        if strict:
            missing = self.unknown_chars(text)
            if missing:
                raise ValueError(
                    f"{name}={_short(text)} holds characters that are not in the vocabulary: "
                    f"{missing!r}. Remove them or build the vocabulary from a text that has them."
                )
        get = self._ids.get
        return np.fromiter((get(char, UNKNOWN_ID) for char in text), np.int32, count=len(text))

    def decode(self, ids: Sequence[int] | np.ndarray) -> str:
        """Map ids back to characters; id 0 becomes :data:`UNKNOWN_CHAR`.

        Args:
            ids: integers in ``[0, size)``, shape ``(n,)``.

        Raises:
            ValueError: if an id is outside ``[0, size)`` or ``ids`` is not one-dimensional.
        """
        ids = np.asarray(ids)
        if ids.ndim != 1:
            raise ValueError(f"ids must be one-dimensional, got shape {ids.shape}.")
        if ids.size == 0:
            return ""
        if not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"ids must be integers, got dtype {ids.dtype}.")
        bad = ids[(ids < 0) | (ids >= self.size)]
        if bad.size:
            raise ValueError(
                f"ids holds {bad[0]}, outside [0, {self.size}) for this vocabulary of size "
                f"{self.size}; were these ids made with another vocabulary?"
            )
        return "".join(self._lookup[ids].tolist())

    def one_hot(self, text: str) -> np.ndarray:
        """Return the 1-of-n code of ``text``: float32 of shape ``(len(text), size)``.

        Column 0 is the unknown column. Fine for short texts; for a book use the
        on-the-fly encoding of :func:`helpers.windows.char_dataset` instead.
        """
        ids = self.encode(text)
        return np.eye(self.size, dtype=np.float32)[ids]

    def to_json(self, ascii_only: bool = False) -> str:
        """Serialise to a JSON string that :meth:`from_json` reads back.

        ``ascii_only`` escapes every non-ASCII character (``\\u00e9``); :meth:`save` uses it
        when the characters cannot be written as UTF-8 (lone surrogates from broken text).
        """
        return json.dumps(
            {
                "format": _FORMAT,
                "version": _VERSION,
                "unknown_token": UNKNOWN_TOKEN,
                "unknown_id": UNKNOWN_ID,
                "chars": list(self._chars),
            },
            ensure_ascii=ascii_only,
            indent=1,
        )

    @classmethod
    def from_json(cls, data: str) -> CharVocab:
        """Read a vocabulary written by :meth:`to_json`.

        Raises:
            ValueError: if ``data`` is not such a JSON document.
        """
        try:
            payload = json.loads(data)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"data is not valid JSON ({error.msg}); is this a vocabulary file?"
            ) from None
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT:
            raise ValueError(
                f"data is not a character vocabulary (expected format {_FORMAT!r}); "
                "write one with CharVocab.save()."
            )
        if payload.get("version") != _VERSION:
            raise ValueError(
                f"vocabulary version {payload.get('version')!r} is not supported "
                f"(this pack reads version {_VERSION})."
            )
        return cls(payload["chars"])

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the vocabulary as UTF-8 JSON to ``path`` and return the path."""
        path = Path(path)
        text = self.to_json()
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: escaped JSON still round-trips exactly
            text = self.to_json(ascii_only=True)
        path.write_text(text, encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> CharVocab:
        """Read a vocabulary saved with :meth:`save`.

        Raises:
            FileNotFoundError: no file at ``path``.
            ValueError: the file is not a vocabulary.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"path={str(path)!r}: no vocabulary file there.")
        return cls.from_json(path.read_text(encoding="utf-8"))


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
