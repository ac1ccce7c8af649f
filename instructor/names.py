"""Names on the leaderboard and the ballot: one key per person, look-alikes flagged, the roster.

A name a student typed is hostile input: "Honest GRU", "honest  gru", "Honest GRU" followed by a
zero-width space, and "Нonest GRU" (a Cyrillic Н) display as the same person. So names are
compared by two keys:

* :func:`name_key`: NFKC normalisation, default-ignorable and bidi-control code points removed
  (zero-width spaces and joiners, soft hyphens, variation selectors, direction marks...),
  white space folded, case folded. Two names with one key *are* the same name.
* :func:`skeleton`: the key with every character replaced by its prototype in Unicode's
  confusables table (UTS #39 / TR39, the data ``confusable-homoglyphs`` ships), to a fixed
  point. Two names with one skeleton *look* the same (Cyrillic Н and Latin H, 0 and O).

:func:`name_flags` names the entries that share either; :func:`read_roster` reads the class
list (``--roster``) that decides who may vote.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from functools import cache
from pathlib import Path

MAX_ROSTER_BYTES = 2**20
MAX_FIELD = 1000
"""Longest field, in characters, of a roster or votes CSV."""
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
"""Unicode's Default_Ignorable_Code_Point set (which holds every bidi control: U+061C,
U+200E-U+200F, U+202A-U+202E, U+2066-U+2069)."""


def _clean(text: str) -> str:
    """NFKC, ignorables removed, white space folded (no case fold)."""
    text = _IGNORABLE.sub("", unicodedata.normalize("NFKC", str(text)))
    return " ".join(unicodedata.normalize("NFKC", text).split())


def clean_name(text: str) -> str:
    """A name as shown: NFKC, ignorables removed, white space folded, case kept
    (``"alice_01\u200b"`` gives ``"alice_01"``)."""
    return _clean(text)


def name_key(text: str) -> str:
    """The key two names are the same under (see the module docstring)."""
    return _clean(text).casefold()


@cache
def _prototypes() -> dict[str, str]:
    """Character -> its TR39 prototype, from the confusables data of ``confusable-homoglyphs``.

    The data lists, for a character that is not a prototype, the one prototype it maps to,
    and for a prototype all the characters that map to it; a pair that lists only each other
    maps to the smaller of the two, so the map has a fixed point.
    """
    try:
        from confusable_homoglyphs.confusables import confusables_data
    except ImportError as error:  # the instructor extra
        raise RuntimeError(
            "the leaderboard's name check needs confusable-homoglyphs: "
            "pip install -e '.[instructor]'"
        ) from error
    targets = {
        source: _IGNORABLE.sub("", glyphs[0]["c"])
        for source, glyphs in confusables_data.items()
        if len(glyphs) == 1
    }
    mapped = {}
    for source, target in targets.items():
        if len(target) != 1 or target == source:
            continue
        mapped[source] = min(source, target) if targets.get(target) == source else target
    return mapped


def skeleton(text: str) -> str:
    """The TR39-style skeleton of a name: equal skeletons look alike (module docstring)."""
    table = _prototypes()
    text = _clean(text)
    for _ in range(8):
        decomposed = unicodedata.normalize("NFD", text)
        folded = "".join(table.get(c, c) for c in decomposed)
        new = unicodedata.normalize("NFKC", unicodedata.normalize("NFD", folded)).casefold()
        if new == text:
            break
        text = new
    return text


def name_flags(entries: list) -> dict[str, str]:
    """Folder -> a note for every entry whose name collides with or looks like another's."""
    flags: dict[str, str] = {}
    for key, what in ((name_key, "the same name as"), (skeleton, "a name that looks like")):
        groups: dict[str, list] = {}
        for entry in entries:
            groups.setdefault(key(entry.name), []).append(entry)
        for group in groups.values():
            for entry in group if len(group) > 1 else []:
                if entry.folder not in flags:
                    others = ", ".join(e.folder for e in group if e is not entry)
                    flags[entry.folder] = f"{what} {others}"
    return flags


def student_id(folder: str) -> str:
    """The roster id of a submission folder: its name without ``.zip``, as a key."""
    return name_key(folder[:-4] if folder.lower().endswith(".zip") else folder)


def read_roster(path: Path) -> dict[str, str]:
    """Roster id key -> display name, from a CSV with the columns ``id`` and ``name``.

    ``id`` is the student's id, the name of their submission folder or zip (without ``.zip``)
    and the ``voter`` they vote as; ``name`` their display name. Other columns are ignored.

    Raises:
        ValueError: one line naming what is wrong (see :func:`read_table`).
    """
    rows = read_table(Path(path), ("id", "name"), "roster", MAX_ROSTER_BYTES)
    roster: dict[str, str] = {}
    for i, (ident, name) in enumerate(rows, start=2):
        key = name_key(ident)
        if not key:
            raise ValueError(f"roster={str(path)!r} row {i} has an empty id.")
        if key in roster:
            raise ValueError(f"roster={str(path)!r} row {i} repeats the id {ident[:40]!r}.")
        roster[key] = name.strip() or ident
    if not roster:
        raise ValueError(f"roster={str(path)!r} lists no student.")
    return roster


def roster_text(roster: dict[str, str]) -> str:
    """The roster as CSV text (for tests and examples)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "name"])
    writer.writerows(roster.items())
    return out.getvalue()


def read_table(path: Path, columns: tuple[str, str], what: str, limit: int) -> list[tuple]:
    """The two ``columns`` of every row of a CSV whose header names them (any order, any case).

    Rows too short to hold both are skipped. Raises ValueError, in one line, for a file over
    ``limit`` bytes, not UTF-8, with NUL bytes, a CSV error (a quote left open), a field over
    :data:`MAX_FIELD` characters, a repeated or missing column name.
    """
    label = f"{what}={str(path)!r}"
    if Path(path).stat().st_size > limit:
        raise ValueError(f"{label} is larger than {limit:,} bytes.")
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(f"{label} is not UTF-8 ({error.reason} at byte {error.start}).") from None
    if "\0" in text:
        raise ValueError(f"{label} holds NUL bytes; it is not a CSV text file.")
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise ValueError(f"{label} is not a valid CSV ({str(error)[:80]}).") from None
    long = next((i for i, row in enumerate(rows, 1) if any(len(c) > MAX_FIELD for c in row)), 0)
    if long:
        raise ValueError(f"{label} row {long} has a field over {MAX_FIELD:,} characters.")
    header = [name_key(cell) for cell in (rows[0] if rows else [])]
    repeated = sorted({cell for cell in header if cell and header.count(cell) > 1})
    if repeated:
        raise ValueError(f"{label} repeats the column(s) {repeated[:3]} in its header.")
    if not set(columns) <= set(header):
        raise ValueError(
            f"{label} needs a header row with the columns {' and '.join(columns)}; "
            f"it has {[cell[:20] for cell in header[:6]]}."
        )
    a, b = (header.index(column) for column in columns)
    return [(row[a], row[b]) for row in rows[1:] if len(row) > max(a, b)]
