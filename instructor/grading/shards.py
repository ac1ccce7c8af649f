"""Grading spread over machines: ``--shard i/N`` picks a student's share, ``merge`` joins them.

A student belongs to one shard, chosen from a hash of their name (:func:`in_shard`), so every
machine agrees without talking to the others, and a student's notebooks (and a notebook handed
in twice) are graded together. Each run writes, next to its gradebook, ``<stem>-rows.json``:
every row with its feedback, the shard, and the line that says how it was graded.
:func:`read_shards` checks that the shards of one class are all there, once, graded alike, and
gives their rows in the order an unsharded run writes them (:func:`canonical_order`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path

from instructor.grading.verdicts import GradeRow
from instructor.names import name_key

_SHARD = re.compile(r"^([1-9][0-9]*)/([1-9][0-9]*)$")
ROW_FIELDS = [f.name for f in fields(GradeRow)]


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``: the second of three shards (counted from 1)."""
    match = _SHARD.match(text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"--shard {text!r} must be i/N with 1 <= i <= N, e.g. --shard 2/3.")
    return int(match[1]), int(match[2])


def in_shard(student: str, index: int, count: int) -> bool:
    """Whether ``student`` is graded by shard ``index`` of ``count`` (a hash of the name key,
    so ``alice`` and ``Alice`` land together)."""
    digest = hashlib.sha256(name_key(student).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count == index - 1


def canonical_order(rows: Sequence[GradeRow]) -> list[GradeRow]:
    """Rows by notebook, then student; a student's rows of one notebook keep their order."""
    return sorted(rows, key=lambda row: (row.notebook, row.student))


def rows_path(out: str | Path) -> Path:
    """Where the rows of the gradebook ``out`` (``gradebook.csv``) are kept: ``*-rows.json``."""
    out = Path(out)
    return out.with_name(out.stem + "-rows.json")


def write_rows(rows: Sequence[GradeRow], out: str | Path, shard: tuple[int, int], graded: str):
    """Write :func:`rows_path` of ``out``: the rows, the shard, and how they were graded."""
    record = {"shard": list(shard), "graded": graded, "rows": [asdict(r) for r in rows]}
    text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
    rows_path(out).write_text(text, encoding="utf-8")


def _read(path: Path) -> dict:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        index, count = record["shard"]
        rows = [GradeRow(**{k: row[k] for k in ROW_FIELDS}) for row in record["rows"]]
        return {"shard": (int(index), int(count)), "graded": str(record["graded"]), "rows": rows}
    except (ValueError, KeyError, TypeError) as error:  # a missing file raises OSError as it is
        raise ValueError(f"{path} is not the rows file of a grading run ({error}).") from None


def read_shards(gradebooks: Sequence[str | Path]) -> tuple[list[GradeRow], str]:
    """The rows of all shards of one class, in :func:`canonical_order`, and how they were graded.

    Args:
        gradebooks: each shard's ``gradebook.csv`` (its ``-rows.json`` is read).

    Raises:
        FileNotFoundError: a shard's rows file is missing.
        ValueError: shards missing or given twice, of different N, graded with different
            limits, or one student in two shards.
    """
    records = [(Path(p), _read(rows_path(p))) for p in gradebooks]
    counts = {record["shard"][1] for _, record in records}
    if len(counts) != 1:
        raise ValueError(f"the shards are of different N: {sorted(counts)}; merge one run.")
    (count,) = counts
    given = sorted(record["shard"][0] for _, record in records)
    if given != list(range(1, count + 1)):
        missing = sorted(set(range(1, count + 1)) - set(given))
        twice = sorted({i for i in given if given.count(i) > 1})
        raise ValueError(f"shards of {count}: missing {missing or 'none'}, twice {twice or 'none'}")
    graded = {record["graded"] for _, record in records}
    if len(graded) != 1:
        raise ValueError(f"the shards were graded with different limits: {sorted(graded)}")
    owner: dict[str, Path] = {}
    for path, record in records:
        for row in record["rows"]:
            if owner.setdefault(name_key(row.student), path) != path:
                raise ValueError(
                    f"student {row.student[:40]!r} is in {owner[name_key(row.student)]} and {path}"
                )
    rows = [row for _, record in records for row in record["rows"]]
    return canonical_order(rows), graded.pop()
