"""Competition submissions handed in as zips: read like folders, hostile archives refused.

``helpers.competition.hand_in`` writes the zip a student downloads from Colab;
``instructor.competition.submission_files.read_submission`` reads it on the instructor's side
without extracting anything. No model is loaded here (tests/test_leaderboard.py scores a zip end to
end).
"""

from __future__ import annotations

import os
import stat
import struct
import sys
import types
import zipfile
import zlib
from pathlib import Path

import pytest

from helpers.competition import MODEL_FILE, NAME_FILE, SENTENCE_FILE, VOCAB_FILE, hand_in
from instructor.competition.submission_files import (
    FILE_LIMITS,
    MAX_ENTRIES,
    Refused,
    read_submission,
)

FILES = {
    MODEL_FILE: b"PK not really a model",
    VOCAB_FILE: b'{"chars": "abc"}',
    SENTENCE_FILE: b"ROMEO: hello",
    NAME_FILE: b"Ada\n",
}


def _folder(root: Path, name: str = "submission") -> Path:
    folder = root / name
    folder.mkdir()
    for file, data in FILES.items():
        (folder / file).write_bytes(data)
    return folder


def _zip(path: Path, members: dict[str, bytes], **infos: zipfile.ZipInfo) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(infos.get(name) or zipfile.ZipInfo(name), data)
    return path


def test_hand_in_zips_the_competition_files_and_they_read_back_the_same(tmp_path):
    folder = _folder(tmp_path, "my:run")  # a name the zip must not carry (":" is refused)
    (folder / "notes").mkdir()
    (folder / "notes" / "ckpt-10:00.txt").write_text("not part of the submission")
    target = hand_in(folder, download=False)
    assert target == tmp_path / "my:run.zip"
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == [f"submission/{name}" for name in FILES]
    assert read_submission(target) == read_submission(folder) == FILES


def test_hand_in_gives_the_same_bytes_for_the_same_files(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = hand_in(_folder(tmp_path / "a"), download=False)
    second = hand_in(_folder(tmp_path / "b"), download=False)
    assert first != second and first.read_bytes() == second.read_bytes()


def test_hand_in_downloads_on_colab_only(tmp_path, monkeypatch):
    downloaded = []
    colab = types.ModuleType("google.colab")
    colab.files = types.SimpleNamespace(download=downloaded.append)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    target = hand_in(_folder(tmp_path))
    assert downloaded == [str(target)]
    hand_in(tmp_path / "submission", download=False)
    assert downloaded == [str(target)]


def test_hand_in_names_what_is_wrong_with_the_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder='nowhere' is not a folder"):
        hand_in("nowhere", download=False)
    folder = _folder(tmp_path)
    (folder / MODEL_FILE).unlink()
    with pytest.raises(FileNotFoundError, match=r"lacks model\.keras; run write_submission"):
        hand_in(folder, download=False)
    (folder / MODEL_FILE).symlink_to("/etc/hostname")
    with pytest.raises(ValueError, match="is a symbolic link; the leaderboard refuses links"):
        hand_in(folder, download=False)


def test_a_zip_with_the_files_at_its_top_is_read_and_unrelated_members_are_never_read(tmp_path):
    path = _zip(
        tmp_path / "flat.zip",
        {**FILES, "__MACOSX/._model.keras": b"junk", "deep/er/model.keras": b"ignored"},
    )
    assert read_submission(path) == FILES


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"../model.keras": b"x"}, 'member "../model.keras" has an unsafe path'),
        ({"/etc/model.keras": b"x"}, 'member "/etc/model.keras" has an unsafe path'),
        ({"a\\model.keras": b"x"}, "has an unsafe path"),
        (
            {"a/model.keras": b"x", "b/vocab.json": b"{}"},
            "holds the files in more than one folder",
        ),
        ({"model.keras": b"x", "sub/model.keras": b"y"}, "holds model.keras twice"),
    ],
)
def test_hostile_zip_layouts_are_refused_with_the_member_named(tmp_path, members, reason):
    with pytest.raises(Refused, match="^refused: .*" + reason.replace(".", r"\.")):
        read_submission(_zip(tmp_path / "hostile.zip", members))


def test_a_link_member_is_refused_even_though_nothing_is_extracted(tmp_path):
    link = zipfile.ZipInfo("submission/name.txt")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip(
        tmp_path / "link.zip",
        {"submission/name.txt": b"/etc/hostname"},
        **{"submission/name.txt": link},
    )
    with pytest.raises(Refused, match='member "submission/name.txt" is a symbolic link'):
        read_submission(path)


def test_a_member_larger_than_its_limit_is_refused_before_it_is_inflated(tmp_path):
    bomb = b"\0" * (FILE_LIMITS[NAME_FILE] + 1)  # deflates to a few bytes
    path = _zip(tmp_path / "bomb.zip", {**FILES, NAME_FILE: bomb})
    with pytest.raises(Refused, match=r"member \"name.txt\" declares 4,097 bytes \(limit 4,096\)"):
        read_submission(path)


def test_a_member_that_holds_more_than_it_declares_is_refused(tmp_path):
    path = _zip(tmp_path / "liar.zip", {**FILES, NAME_FILE: b"A" * 1000})
    data = bytearray(path.read_bytes())
    # Lower name.txt's declared size in the central directory from 1000 to 10 bytes.
    at = data.index(NAME_FILE.encode(), data.index(b"PK\x01\x02"))
    header = data.rindex(b"PK\x01\x02", 0, at)
    assert int.from_bytes(data[header + 24 : header + 28], "little") == 1000
    data[header + 24 : header + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    # zipfile stops at the declared size, so the CRC of the first 10 bytes cannot match.
    with pytest.raises(
        Refused, match=r"refused: liar.zip is not a valid zip \(Bad CRC-32 for file"
    ):
        read_submission(path)


def test_a_zip_announcing_too_many_members_is_refused_from_its_end_record(tmp_path):
    many = {f"x/{i}": b"" for i in range(MAX_ENTRIES + 1)}
    path = _zip(tmp_path / "many.zip", many)
    with pytest.raises(
        Refused, match=f"has {MAX_ENTRIES + 1} members .* \\(at most {MAX_ENTRIES}\\)"
    ):
        read_submission(path)


def test_a_file_that_is_not_a_zip_and_a_linked_zip_are_refused(tmp_path):
    (tmp_path / "fake.zip").write_text("hello")
    with pytest.raises(Refused, match="refused: fake.zip is not a ZIP archive"):
        read_submission(tmp_path / "fake.zip")
    hand_in(_folder(tmp_path), download=False)
    (tmp_path / "linked.zip").symlink_to(tmp_path / "submission.zip")
    with pytest.raises(Refused, match="^refused: the submission zip is a symlink$"):
        read_submission(tmp_path / "linked.zip")


def _local(name: bytes, data: bytes) -> bytes:
    return struct.pack(
        "<4s5H3L2H", b"PK\3\4", 20, 0, 0, 0, 33, zlib.crc32(data), len(data), len(data),
        len(name), 0,
    ) + name + data  # fmt: skip


def _central(name: bytes, data: bytes, offset: int) -> bytes:
    return struct.pack(
        "<4s2B5H3L5H2L", b"PK\1\2", 20, 3, 20, 0, 0, 0, 33, zlib.crc32(data), len(data),
        len(data), len(name), 0, 0, 0, 0, 0o644 << 16, offset,
    ) + name  # fmt: skip


def test_a_zip64_directory_hidden_behind_a_long_comment_is_refused(tmp_path):
    """zipfile trusts a ZIP64 record 20 bytes before the end record; a 65,476-byte comment puts
    it just outside the last 64 KiB, where the small end record claims one member while the
    ZIP64 one announces thousands (found by a review: 4.5 million members, 1.9 GB, accepted)."""
    data = b"ROMEO: hi"
    body = _local(SENTENCE_FILE.encode(), data)
    one = _central(b"x", data, 0)
    n = 2000
    directory = _central(SENTENCE_FILE.encode(), data, 0) + one * n
    zip64 = struct.pack(
        "<4sQ2H2L4Q", b"PK\6\6", 44, 45, 45, 0, 0, n + 1, n + 1, len(directory), len(body)
    )
    locator = struct.pack("<4sLQL", b"PK\6\7", 0, len(body) + len(directory), 1)
    end = struct.pack("<4s4H2LH", b"PK\5\6", 0, 0, 1, 1, 200, len(body), 65476)
    path = tmp_path / "hidden64.zip"
    path.write_bytes(body + directory + zip64 + locator + end + b"\0" * 65476)
    assert len(zipfile.ZipFile(path).infolist()) == n + 1, "zipfile reads the hidden directory"
    with pytest.raises(Refused, match="^refused: hidden64.zip is a ZIP64 archive"):
        read_submission(path)


def test_a_zip_whose_end_record_understates_its_members_is_refused(tmp_path):
    path = _zip(tmp_path / "many.zip", {**FILES, **{f"x{i}": b"" for i in range(MAX_ENTRIES)}})
    data = bytearray(path.read_bytes())
    end = data.rindex(b"PK\5\6")
    data[end + 8 : end + 12] = (3).to_bytes(2, "little") * 2  # "3 members"
    path.write_bytes(bytes(data))
    with pytest.raises(Refused, match=f"^refused: many.zip has more than {MAX_ENTRIES} members"):
        read_submission(path)


@pytest.mark.parametrize("kind", ["encrypted", "empty name", "bad deflate", "version 6.4"])
def test_unusual_or_broken_members_are_refused_not_crashes(tmp_path, kind):
    path = _zip(tmp_path / "odd.zip", {f"submission/{SENTENCE_FILE}": b"ROMEO: " + b"hi " * 50})
    if kind == "empty name":
        path = _zip(tmp_path / "odd.zip", {**FILES, "": b"x"})
    data = bytearray(path.read_bytes())
    central = data.index(b"PK\1\2")
    if kind == "encrypted":
        data[6:8] = data[central + 8 : central + 10] = (1).to_bytes(2, "little")
    elif kind == "bad deflate":
        start = 30 + len(f"submission/{SENTENCE_FILE}")
        data[start : start + 3] = b"\xff\xff\xff"
    elif kind == "version 6.4":
        data[central + 6 : central + 8] = (64).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(Refused, match="^refused: odd.zip"):
        read_submission(path)


def test_a_folder_named_like_a_submission_file_is_refused_and_leaks_no_descriptor(tmp_path):
    folder = _folder(tmp_path)
    (folder / NAME_FILE).unlink()
    (folder / NAME_FILE).mkdir()
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        with pytest.raises(Refused, match="^refused: name.txt is not a regular file$"):
            read_submission(folder)
    assert len(os.listdir("/proc/self/fd")) == before


def test_hard_links_are_refused_like_symlinks(tmp_path):
    """Issue 20: a hard link in a submission folder to a file elsewhere on the instructor's disk
    was read and shown on the board (an archive unpacked by some tools can carry hard links)."""
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("the instructor's private text", encoding="utf-8")
    folder = _folder(tmp_path)
    (folder / NAME_FILE).unlink()
    os.link(secret, folder / NAME_FILE)
    with pytest.raises(Refused, match="^refused: hard link in the submission: name.txt$"):
        read_submission(folder)
    deep = _folder(tmp_path, "deep")
    (deep / "notes").mkdir()
    os.link(secret, deep / "notes" / "other.txt")
    with pytest.raises(Refused, match="^refused: hard link in the submission: notes/other.txt$"):
        read_submission(deep)
    from instructor.competition.submission_files import read_limited

    with pytest.raises(Refused, match="^refused: secret.txt is a hard link$"):
        read_limited(secret, 2**20)
    hand_in(_folder(tmp_path, "zipped"), download=False)
    os.link(tmp_path / "zipped.zip", tmp_path / "twin.zip")
    with pytest.raises(Refused, match="^refused: twin.zip is a hard link$"):
        read_submission(tmp_path / "twin.zip")
    (tmp_path / "twin.zip").unlink()
    assert set(read_submission(tmp_path / "zipped.zip")) >= {MODEL_FILE, SENTENCE_FILE}
