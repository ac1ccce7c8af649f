"""Read a ZIP archive someone else wrote without trusting it: the end record, names, sizes.

Used for a submitted ``model.keras`` (:mod:`instructor.competition.model_check`) and for a
competition submission handed in as a ``.zip`` (:mod:`instructor.competition.submission_files`).
Nothing here extracts to disk: members are read into memory in bounded chunks, so a member that lies
about its size (a ZIP bomb) is caught after at most ``limit + 1 MiB`` bytes, and :mod:`zipfile`
checks each member's CRC when it is read to the end.
"""

from __future__ import annotations

import json
import os
import re
import stat
import struct
import zipfile
import zlib

_UNSAFE_NAME = re.compile(r"^/|[\\\0:]|(^|/)\.\.(/|$)")
_CHUNK = 2**20


class UnsafeArchive(ValueError):
    """An archive refused; the message is the one-line reason and starts with its label."""


READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    EOFError,
    ValueError,
    RuntimeError,  # and NotImplementedError: encryption, unknown versions or features
    zlib.error,
)
"""What :mod:`zipfile` raises on a broken or unusual archive, besides :class:`OSError`."""


def check_end_record(
    path: str | os.PathLike[str], label: str, max_members: int, max_directory: int = 64 * 2**10
) -> None:
    """Refuse a file that is not a plain ZIP or has too many members, before zipfile parses it.

    The member count and directory size come from the end-of-central-directory record, so an
    archive announcing a million members costs one read of its last 64 KiB.

    Args:
        path: the archive.
        label: how reasons name it, e.g. ``"model.keras"``.
        max_members: most members accepted.
        max_directory: largest central directory accepted, in bytes.

    Raises:
        UnsafeArchive: not a ZIP, a ZIP64 or multi-disk archive, or too many members.
    """
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        handle.seek(max(0, size - 22 - 65535 - 20))  # the ZIP64 locator sits before it
        tail = handle.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise UnsafeArchive(f"{label} is not a ZIP archive")
    _, disk, cd_disk, here, total, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at : at + 22])
    # zipfile reads a ZIP64 locator exactly 20 bytes before the end record, and then trusts
    # the ZIP64 record's member count and directory size instead of the small ones read here.
    zip64 = tail[max(0, at - 20) : at - 16] == b"PK\x06\x07"
    if 0xFFFF in (here, total) or cd_size == 0xFFFFFFFF or zip64:
        raise UnsafeArchive(f"{label} is a ZIP64 archive; nothing this small needs one")
    if disk or cd_disk or here != total or total > max_members or cd_size > max_directory:
        raise UnsafeArchive(
            f"{label} has {total} members in {cd_size:,} bytes of directory (at most {max_members})"
        )


def shown(name: str) -> str:
    """A member name as reasons quote it: JSON-escaped, at most 80 characters."""
    return json.dumps(name[:80])


def check_member(info: zipfile.ZipInfo, label: str) -> None:
    """Refuse a member with an unsafe path, encryption, a link, or an unusual compression.

    Raises:
        UnsafeArchive: an empty or absolute name, ``..``, a backslash, a colon or NUL; an
            encrypted member; a symbolic link; an unusual compression method.
    """
    name = info.filename
    if not name or _UNSAFE_NAME.search(info.orig_filename):  # zipfile cuts .filename at a NUL
        raise UnsafeArchive(f"{label} member {shown(name)} has an unsafe path")
    if info.flag_bits & 0x61:  # encrypted, patched data, strong encryption
        raise UnsafeArchive(f"{label} member {shown(name)} is encrypted")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UnsafeArchive(f"{label} member {shown(name)} is a symbolic link")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsafeArchive(f"{label} member {shown(name)} uses compression {info.compress_type}")


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str, limit: int, keep: bool = True
) -> bytes:
    """The bytes of one member, read in bounded chunks (``b""`` when ``keep`` is False).

    Args:
        archive: the open archive.
        info: the member, checked by :func:`check_member`.
        label: how reasons name the archive.
        limit: most bytes the member may hold; its declared size is checked before reading.
        keep: False reads the member to the end (checking size and CRC) without keeping it.

    Raises:
        UnsafeArchive: the member declares more than ``limit`` or holds other than it declares.
        zipfile.BadZipFile: the CRC does not match.
    """
    if info.file_size > limit:
        raise UnsafeArchive(
            f"{label} member {shown(info.filename)} declares {info.file_size:,} bytes "
            f"(limit {limit:,})"
        )
    got, chunks = 0, []
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            got += len(chunk)
            if got > info.file_size:
                break
            if keep:
                chunks.append(chunk)
    if got != info.file_size:
        raise UnsafeArchive(
            f"{label} member {shown(info.filename)} holds {got:,} bytes but declares "
            f"{info.file_size:,}"
        )
    return b"".join(chunks)
