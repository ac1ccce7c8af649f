"""One runner for untrusted child processes: the grader's notebooks and the leaderboard's models.

On Linux the child runs under bubblewrap (``apt-get install bubblewrap``, version 0.8 or later):
no network, its own process, IPC and host-name namespaces, a new session, and it dies with the
runner. It sees a read-only system (``/usr``, ``/etc``, ``/bin``, ``/lib``...) and Python (the
folders of this interpreter and its environment), the read-only paths the caller names, a
writable scratch folder (the working directory and, unless the caller sets one, ``HOME``), a
private ``/tmp`` of at most 512 MiB, a minimal ``/proc`` and ``/dev``: **nothing else** of the
host, not the repository's ``solutions/`` or ``instructor/``, not other submissions, not ``/root``.
It runs without capabilities under an unprivileged user id, as the process cap needs (the kernel
never caps root): run as root, each run gets its own user id (61000-61999, no account needed),
which owns the scratch folder; run as a normal user, a user namespace does it.

Every run, sandboxed or not, gets these caps (``setrlimit`` in the child just before ``exec``):

* memory: ``RLIMIT_DATA``, private writable memory (heap, anonymous ``mmap``, thread stacks).
  TensorFlow reserves ~2.7 GB of address space at import (more with more cores), so an
  address-space cap (``RLIMIT_AS``) of 3 GiB breaks it while a data cap of 512 MiB does not.
  Past the cap the child gets ``MemoryError`` (C++ code aborts); the runner is unaffected.
  Shared mappings and ``memfd`` are not counted here (the tree's cap below does that);
* processes and threads: ``RLIMIT_NPROC`` (TensorFlow starts ~2 threads per core, briefly more);
* file size 1 GiB (``RLIMIT_FSIZE``) and no core dumps;
* memory of the whole tree (``tree_memory_mb``): a watchdog sums the proportional set size
  (``Pss``, shared pages split between their users) of every process the child started, twice a
  second, and kills the tree past the cap (``Outcome.memory_exceeded``): forked children do not
  multiply the per-process cap. Where a memory cgroup can be made
  (:mod:`instructor.sandbox.memory_cgroup`), the run is also in its own, capped at the same size:
  the kernel then counts what the watchdog cannot see (a ``memfd`` filled with ``write``, a file
  descriptor parked in a socket) and kills the run at the cap;
* time: at ``timeout`` seconds (wall clock), or when the caller's ``cancel`` event is set, the
  whole process tree is killed;
* output: the first ``max_output`` bytes of stdout and of stderr each are kept; the rest is read
  and discarded (the child goes on) and ``output_truncated`` is set.

``sandbox=False`` runs the same command with the same caps, without bubblewrap, with the caller's
rights (run as root, the kernel then ignores the process cap): callers allow it only on an
explicit flag, and ``Outcome.sandboxed`` records it for their reports.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_MEMORY_MB = 4096
"""Memory of one untrusted run, in MiB, unless its caller says otherwise (grader, leaderboard)."""

_UID_BASE, _UID_COUNT = 61000, 1000
_UIDS = itertools.count(secrets.randbelow(_UID_COUNT))  # in turn, from a random start
_MAX_FILE_MB, _TMP_MB = 1024, 512
_SYSTEM = ("/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64")

# Run inside the jail just before the untrusted program: drop to the run's user id (when given),
# set the caps, exec. ``python -I -S`` ignores PYTHON* variables and site-packages.
_TRAMPOLINE = """import os, resource as r, sys
uid, data, nproc, fsize = map(int, sys.argv[1:5])
if uid >= 0:
    os.setgroups([]); os.setresgid(uid, uid, uid); os.setresuid(uid, uid, uid)
for limit, value in ((r.RLIMIT_DATA, data), (r.RLIMIT_NPROC, nproc), (r.RLIMIT_FSIZE, fsize),
                     (r.RLIMIT_CORE, 0)):
    hard = r.getrlimit(limit)[1]
    value = value if hard == r.RLIM_INFINITY else min(value, hard)
    r.setrlimit(limit, (value, value))
os.execvp(sys.argv[5], sys.argv[5:])
"""


@dataclass(frozen=True)
class Jail:
    """Where and within which limits one untrusted process runs.

    Attributes:
        scratch: existing host folder, bound read-write at the same path; the working directory.
            Run as root, it and what it holds are handed to the run's user id.
        read_only: host paths bound read-only at the same path, or ``(host, inside)`` pairs.
            Run as root, they must be readable by any user (the child is not root).
        memory_mb: cap on private writable memory, in MiB.
        max_procs: cap on processes and threads of the run.
        timeout: wall-clock seconds before the whole process tree is killed.
        max_output: bytes kept of stdout and of stderr each.
        tree_memory_mb: cap on the memory of all its processes together (None: no watchdog).
        scratch_mb: when set, the child sees at ``scratch`` a fresh, empty tmpfs of at most this
            many MiB instead of the host folder: it cannot fill the host's disk (a write past
            the size fails with ``ENOSPC``, ``posix_fallocate`` too) and what it wrote vanishes
            with the run. Unsandboxed runs (``sandbox=False``) write to the host folder.
    """

    scratch: Path
    read_only: tuple[Path | str | tuple[Path | str, Path | str], ...] = ()
    memory_mb: int = DEFAULT_MEMORY_MB
    max_procs: int = 512
    timeout: float = 300.0
    max_output: int = 1_000_000
    tree_memory_mb: int | None = None
    scratch_mb: int | None = None


def python_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a Python program in a jail, plus ``extra``.

    TensorFlow quiet and without oneDNN, matplotlib on Agg, no bytecode files, and Keras' and
    matplotlib's caches inside ``home`` (the jail's scratch).
    """
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home / ".matplotlib"),
        "KERAS_HOME": str(home / ".keras"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "TF_ENABLE_ONEDNN_OPTS": "0",
        **extra,
    }


def _python_roots() -> list[Path]:
    """Folders of this interpreter and its environment, and the real folders their links name."""
    roots: set[Path] = set()
    prefixes = (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)
    for prefix in map(Path, prefixes):
        roots |= {prefix, prefix.resolve()}
    executable = Path(sys.executable).resolve()
    roots.add(executable.parents[1] if executable.parent.name == "bin" else executable.parent)
    if Path("/") in roots:
        raise RuntimeError("this Python's prefix is '/', binding it would show the whole host.")
    roots = {r for r in roots if not any(r.is_relative_to(s) for s in _SYSTEM)}
    return sorted(r for r in roots if not any(r != o and r.is_relative_to(o) for o in roots))


def bwrap_command(argv: Sequence[str], jail: Jail, uid: int | None) -> list[str]:
    """The command line that runs ``argv`` in ``jail`` (exposed for tests and debugging).

    Args:
        uid: the user id to drop to (bwrap then runs as root); None: the caller is not root,
            and bwrap makes a user namespace.
    """
    args = [shutil.which("bwrap") or "bwrap", "--die-with-parent", "--new-session", "--unshare-net"]
    args += ["--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if uid is None:
        args += ["--unshare-user", "--disable-userns"]
    for name in _SYSTEM:
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(_TMP_MB * 2**20), "--tmpfs", "/tmp"]
    binds = [("--ro-bind", root, root) for root in _python_roots()]
    for item in jail.read_only:
        host, inside = item if isinstance(item, tuple) else (item, item)
        binds.append(("--ro-bind", Path(host), Path(inside)))
    if jail.scratch_mb is None:
        binds.append(("--bind", Path(jail.scratch), Path(jail.scratch)))
    insides = [inside for _, _, inside in binds] + [Path(jail.scratch)]
    parents = {p for inside in insides for p in inside.parents if p != Path("/")}
    for parent in sorted(parents - {Path(s) for s in _SYSTEM}, key=lambda p: len(p.parts)):
        args += ["--perms", "0755", "--dir", str(parent)]
    for flag, host, inside in binds:
        args += [flag, str(host), str(inside)]
    if jail.scratch_mb is not None:
        size = str(jail.scratch_mb * 2**20)  # a private mount: 1777 lets the run's uid write
        args += ["--perms", "1777", "--size", size, "--tmpfs", str(jail.scratch)]
    args += ["--remount-ro", "/", "--remount-ro", "/dev", "--chdir", str(jail.scratch), "--"]
    return args + limited_command(argv, jail, -1 if uid is None else uid)


def limited_command(argv: Sequence[str], jail: Jail, uid: int) -> list[str]:
    """``argv`` behind the trampoline that drops to ``uid`` (-1: stay) and sets ``jail``'s caps."""
    caps = (jail.memory_mb * 2**20, jail.max_procs, _MAX_FILE_MB * 2**20)
    return [sys.executable, "-I", "-S", "-c", _TRAMPOLINE, str(uid), *map(str, caps), *argv]


@cache
def sandbox_problem() -> str | None:
    """Returns None when bubblewrap works here (tried once), else a one-line reason and the fix."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux, this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed: apt-get install bubblewrap"
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as scratch:
        try:
            uid = _UID_BASE if os.geteuid() == 0 else None
            probe = bwrap_command([sys.executable, "-c", "pass"], Jail(Path(scratch)), uid)
            done = subprocess.run(probe, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        except (OSError, RuntimeError, subprocess.TimeoutExpired) as error:
            return f"bwrap could not start: {error}"
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines() or ["no message"]
        return f"bwrap cannot create the sandbox here: {lines[0]}"
    return None


def next_uid() -> int:
    """The user id of the next run as root: 61000-61999 in turn, from a random start."""
    return _UID_BASE + next(_UIDS) % _UID_COUNT
