"""Delete a folder that untrusted code wrote, whatever it holds (Linux, macOS).

Before Python 3.13 ``shutil.rmtree`` recursed once per level: a student's 3000-deep tree of
folders raised ``RecursionError`` in it; and paths that deep exceed ``PATH_MAX``.
:func:`remove_tree` never recurses and never builds a long path: it works only on the top folder
and its children, moving each grandchild up into the top folder (a rename, under a random name)
before deleting the emptied child. Every entry is moved at most once per level it had above it,
so the work is linear in the number of entries times their depth, and memory stays flat.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path


def remove_tree(path: str | Path) -> None:
    """Delete ``path`` and everything below it; symbolic links are deleted, never followed.

    A missing ``path`` is not an error (it is gone either way).

    Raises:
        OSError: an entry could not be deleted (e.g. on a read-only mount); the message names it.
    """
    path = Path(path)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(mode):
        path.unlink()
        return
    top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    token = secrets.token_hex(8)
    moved = 0
    try:
        while names := os.listdir(top):
            for name in names:
                if not _is_folder(name, top):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(name, dir_fd=top)
                    continue
                with contextlib.suppress(OSError):
                    os.chmod(name, 0o700, dir_fd=top)  # a student may have made it unreadable
                child = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
                try:
                    for grandchild in os.listdir(child):
                        moved += 1
                        os.rename(grandchild, f".rm-{token}-{moved}", src_dir_fd=child,
                                  dst_dir_fd=top)  # fmt: skip
                finally:
                    os.close(child)
                os.rmdir(name, dir_fd=top)
    finally:
        os.close(top)
    os.rmdir(path)


def _is_folder(name: str, folder: int) -> bool:
    """Whether ``name`` in the open ``folder`` is a folder itself (a link to one is not)."""
    try:
        return stat.S_ISDIR(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False
