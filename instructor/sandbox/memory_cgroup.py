"""A memory cgroup around one sandboxed run: every byte its processes make the kernel hold.

The watchdog of :mod:`instructor.sandbox.tree_watch` sums what the processes map (``Pss``); memory a
process holds without mapping it (a ``memfd`` written with ``write``, a file descriptor parked
in a socket, SysV shared memory) escapes it. A memory cgroup charges all of that to the run, and
the kernel's OOM killer stops the run at the cap. It needs a writable memory controller: cgroup
v1's ``memory`` hierarchy, or a cgroup v2 tree with ``memory`` delegated to our own group. Where
neither exists (:func:`memory_cgroup_problem` says why), runs rely on the watchdog alone.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from functools import cache
from pathlib import Path

_V1, _V2 = "v1", "v2"


def _mount_point(kind: str, option: str = "") -> Path | None:
    for line in Path("/proc/mounts").read_text().splitlines():
        _, point, fs, options, *_ = line.split()
        if fs == kind and (not option or option in options.split(",")):
            return Path(point)
    return None


@cache
def _parent() -> tuple[str, Path] | None:
    """Where to create run groups: (version, our own memory cgroup folder), or None."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(",") and (root := _mount_point("cgroup", "memory")):
            folder = root / path.lstrip("/")
            if (folder / "memory.limit_in_bytes").exists() and os.access(folder, os.W_OK):
                return _V1, folder
        if controllers == "" and (root := _mount_point("cgroup2")):
            folder = root / path.lstrip("/")
            with contextlib.suppress(OSError):
                delegated = (folder / "cgroup.subtree_control").read_text().split()
                if "memory" in delegated and os.access(folder, os.W_OK):
                    return _V2, folder
    return None


def memory_cgroup_problem() -> str | None:
    """None when runs get a memory cgroup here, else why not (one line)."""
    if _parent() is not None:
        return None
    return (
        "no writable memory cgroup (cgroup v1 memory hierarchy, or cgroup v2 with memory "
        "delegated to this process's group): memory held outside the processes' mappings "
        "is not capped"
    )


class MemoryCgroup:
    """A fresh cgroup capped at ``limit_mb`` MiB (swap included where the kernel counts it)."""

    def __init__(self, limit_mb: float):
        version, parent = _parent() or (None, None)
        if parent is None:
            raise RuntimeError(memory_cgroup_problem())
        self.version = version
        self.folder = parent / f"grading-{os.getpid()}-{secrets.token_hex(4)}"
        self.folder.mkdir()
        limit = str(int(limit_mb * 2**20))
        if version == _V1:
            (self.folder / "memory.limit_in_bytes").write_text(limit)
            with contextlib.suppress(OSError):  # absent without swap accounting
                (self.folder / "memory.memsw.limit_in_bytes").write_text(limit)
        else:
            (self.folder / "memory.max").write_text(limit)
            with contextlib.suppress(OSError):
                (self.folder / "memory.swap.max").write_text("0")

    def add(self, pid: int) -> None:
        """Move process ``pid`` (before it starts children) into the group."""
        (self.folder / "cgroup.procs").write_text(str(pid))

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the group at the cap."""
        name = "memory.oom_control" if self.version == _V1 else "memory.events"
        with contextlib.suppress(OSError, ValueError):
            for line in (self.folder / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill" and int(value) > 0:
                    return True
            if self.version == _V1:  # kernels before 4.13 have no oom_kill count
                return int((self.folder / "memory.failcnt").read_text()) > 0
        return False

    def remove(self) -> None:
        """Delete the group once its processes are gone (a few tries, then leave it)."""
        for _ in range(50):
            try:
                self.folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.1)
