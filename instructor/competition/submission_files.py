"""Read the files of one competition submission, a folder or a ``.zip``, without trusting it.

A submission is what :func:`helpers.competition.write_submission` writes: ``model.keras``,
``vocab.json``, ``sentence.txt``, ``name.txt`` and optionally ``generation.json``. Students on
Colab hand it in as the zip notebooks 05b and 06 download (one folder, e.g. ``submission/``, or
the files at the top). Either way, only those files are read, each size-checked before it is
read (:data:`FILE_LIMITS`); nothing is extracted, and other files are never opened.

Refused, with a one-line reason: a folder that is a link or holds a link (symbolic, or a hard
link: a file with more than one name, which may be a file elsewhere on this disk), a special
file (FIFO, device, socket) or more than :data:`MAX_ENTRIES` entries; a zip that is a hard
link or has an unsafe member name (absolute, ``..``), a link, a ZIP64 or multi-disk
directory, more than :data:`MAX_ENTRIES` members, two copies of one file, or a member that
holds other than it declares.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from helpers.competition import (
    GENERATION_FILE,
    MAX_FILE_MB,
    MODEL_FILE,
    NAME_FILE,
    SENTENCE_FILE,
    VOCAB_FILE,
)
from instructor.competition import archives

FILE_LIMITS = {
    MODEL_FILE: MAX_FILE_MB * 2**20,
    VOCAB_FILE: 2**20,
    SENTENCE_FILE: 64 * 2**10,
    NAME_FILE: 4 * 2**10,
    GENERATION_FILE: 4 * 2**10,
}
"""Largest size, in bytes, of each file of a submission that is read."""
MAX_ENTRIES = 256
"""Most files and folders a submission folder (anywhere below it) or zip may hold."""
_IGNORED_FOLDERS = {"__MACOSX"}  # macOS Archive Utility's resource forks


class Refused(Exception):
    """A submission refused before scoring; the message is the board's reason."""


def read_submission(path: Path) -> dict[str, bytes]:
    """The competition files (by name) of the submission folder or ``.zip`` at ``path``.

    Files that are absent are missing from the result; the caller decides what is required.

    Raises:
        Refused: see the module docstring.
        OSError: the folder or file cannot be read.
    """
    is_zip = path.suffix.lower() == ".zip" and not path.is_dir()
    if path.is_symlink():
        raise Refused(f"refused: the submission {'zip' if is_zip else 'folder'} is a symlink")
    if is_zip:
        return read_zip(path)
    inspect_folder(path)
    found = {name: read_limited(path / name, limit) for name, limit in FILE_LIMITS.items()}
    return {name: data for name, data in found.items() if data is not None}


def inspect_folder(folder: Path) -> None:
    """Refuse a folder that is a link or holds a link, a special file or too many entries."""
    if folder.is_symlink():
        raise Refused("refused: the submission folder is a symlink")
    count = 0
    stack = [folder]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for item in entries:
                count += 1
                where = os.path.relpath(item.path, folder)
                if count > MAX_ENTRIES:
                    raise Refused(f"refused: more than {MAX_ENTRIES} files and folders")
                if item.is_symlink():
                    raise Refused(f"refused: symlink in the submission: {where}")
                if item.is_dir(follow_symlinks=False):
                    stack.append(Path(item.path))
                elif not item.is_file(follow_symlinks=False):
                    raise Refused(f"refused: special file in the submission: {where}")
                elif item.stat(follow_symlinks=False).st_nlink > 1:
                    raise Refused(f"refused: hard link in the submission: {where}")


def read_limited(path: Path, limit: int) -> bytes | None:
    """The bytes of the regular file ``path`` (None when absent), never following a link.

    Raises:
        Refused: a link, a special file, or a file larger than ``limit`` bytes.
    """
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise Refused(f"refused: {path.name} cannot be opened ({error.strerror})") from None
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:  # fdopen would fail or block
        os.close(handle)
        what = "a hard link" if stat.S_ISREG(info.st_mode) else "not a regular file"
        raise Refused(f"refused: {path.name} is {what}")
    with os.fdopen(handle, "rb") as file:
        if info.st_size > limit:
            raise Refused(f"refused: {path.name} is {info.st_size:,} bytes (limit {limit:,})")
        data = file.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"refused: {path.name} grew past {limit:,} bytes while read")
    return data


def read_zip(path: Path) -> dict[str, bytes]:
    """The competition files of a submission zip: at its top or in one folder inside it.

    Raises:
        Refused: see the module docstring.
    """
    label, whole = path.name, sum(FILE_LIMITS.values()) + 2**20
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"refused: {label} is not a regular file")
    if info.st_nlink > 1:
        raise Refused(f"refused: {label} is a hard link")
    if info.st_size > whole:
        raise Refused(f"refused: {label} is {info.st_size:,} bytes (limit {whole:,})")
    try:
        archives.check_end_record(path, label, MAX_ENTRIES)
        with zipfile.ZipFile(path) as archive:
            wanted = _wanted_members(archive, label)
            return {
                name: archives.read_member(archive, info, label, FILE_LIMITS[name])
                for name, info in wanted.items()
            }
    except archives.UnsafeArchive as error:
        raise Refused(f"refused: {error}") from None
    except archives.READ_ERRORS as error:
        raise Refused(f"refused: {label} is not a valid zip ({str(error)[:120]})") from None


def _wanted_members(archive: zipfile.ZipFile, label: str) -> dict[str, zipfile.ZipInfo]:
    """The members that are competition files, by file name; every member's name is checked."""
    wanted: dict[str, zipfile.ZipInfo] = {}
    folders: set[str] = set()
    if len(archive.infolist()) > MAX_ENTRIES:  # the end record's count may understate it
        raise Refused(f"refused: {label} has more than {MAX_ENTRIES} members")
    for info in archive.infolist():
        archives.check_member(info, label)
        parts = info.filename.rstrip("/").split("/")
        if info.is_dir() or parts[0] in _IGNORED_FOLDERS or len(parts) > 2:
            continue
        if parts[-1] not in FILE_LIMITS:
            continue
        if parts[-1] in wanted:
            raise Refused(f"refused: {label} holds {parts[-1]} twice")
        wanted[parts[-1]] = info
        folders.add(parts[0] if len(parts) == 2 else "")
    if len(folders) > 1:
        raise Refused(f"refused: {label} holds the files in more than one folder")
    return wanted
