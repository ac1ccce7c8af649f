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
  (:mod:`instructor.memory_cgroup`), the run is also in its own, capped at the same size: the
  kernel then counts what the watchdog cannot see (a ``memfd`` filled with ``write``, a file
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

import contextlib
import itertools
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from instructor.memory_cgroup import MemoryCgroup, memory_cgroup_problem
from instructor.tree_watch import Watch

_GATE = (  # wait for the runner to put this process in its memory cgroup, then become argv
    "import os, sys; fd = int(sys.argv[1]); os.read(fd, 2); os.close(fd); "
    "os.execv(sys.argv[2], sys.argv[2:])"
)

_UID_BASE, _UID_COUNT = 61000, 1000
_UIDS = itertools.count(secrets.randbelow(_UID_COUNT))  # in turn, from a random start
_MAX_FILE_MB, _TMP_MB = 1024, 512
_GRACE = 5.0  # seconds to read what is left in the pipes once the child is gone
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
    memory_mb: int = 4096
    max_procs: int = 512
    timeout: float = 300.0
    max_output: int = 1_000_000
    tree_memory_mb: int | None = None
    scratch_mb: int | None = None


@dataclass(frozen=True)
class Outcome:
    """How an untrusted process ended.

    Attributes:
        returncode: exit status; ``-N``, or ``128 + N`` under bubblewrap: killed by signal ``N``
            (``-9`` at the time limit).
        stdout, stderr: the first ``max_output`` bytes of each.
        timed_out: killed at the time limit.
        output_truncated: stdout or stderr was longer than ``max_output`` bytes.
        sandboxed: ran under bubblewrap (False: with the caller's rights, caps only).
        seconds: wall-clock duration.
        memory_exceeded: killed by the watchdog over the tree's memory.
    """

    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    output_truncated: bool
    sandboxed: bool
    seconds: float
    memory_exceeded: bool = False


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
    return args + _limited(argv, jail, -1 if uid is None else uid)


def _limited(argv: Sequence[str], jail: Jail, uid: int) -> list[str]:
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


def _hand_over(scratch: Path, uid: int) -> None:
    """Give ``scratch`` and its contents to ``uid`` (links themselves, never their targets)."""
    os.chown(scratch, uid, uid)
    os.chmod(scratch, 0o700)
    for folder, names, files in os.walk(scratch):
        for name in names + files:
            os.chown(os.path.join(folder, name), uid, uid, follow_symlinks=False)


def _exited(pid: int) -> bool:
    """True once ``pid`` has ended; it stays a zombie (so its process group id stays ours)."""
    return os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def _pump(
    process: subprocess.Popen, stdin: bytes, jail: Jail, watch: Watch
) -> tuple[bytes, bytes, bool, bool]:
    """Feeds stdin and reads stdout and stderr until the child ends, its time is up or ``watch``
    says stop, kills its process group, reads what is left; returns ``(stdout, stderr,
    timed_out, output_truncated)``."""
    deadline = time.monotonic() + jail.timeout
    kept = {process.stdout.fileno(): bytearray(), process.stderr.fileno(): bytearray()}
    writer, pending = process.stdin.fileno(), memoryview(stdin)
    truncated = timed_out = False
    ending = None  # once the child is gone: when to stop waiting for the pipes to close
    with selectors.DefaultSelector() as selector:
        for fd in kept:
            selector.register(fd, selectors.EVENT_READ)
        if pending:
            os.set_blocking(writer, False)
            selector.register(writer, selectors.EVENT_WRITE)
        else:
            process.stdin.close()
        while True:
            now = time.monotonic()
            stop = ending is None and watch.stop(now)
            if ending is None and (now >= deadline or stop or _exited(process.pid)):
                timed_out = not stop and not _exited(process.pid)
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)  # the whole tree, whatever it started
                ending = now + _GRACE
                if pending:
                    selector.unregister(writer)
            if ending is not None and (now >= ending or not selector.get_map()):
                break
            wait = min(ending or deadline, now + (0.2 if selector.get_map() else 0.01)) - now
            for key, _ in selector.select(max(wait, 0.0)):
                if key.fd == writer:
                    try:
                        pending = pending[os.write(writer, pending[:65536]) :]
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:  # the child closed its stdin
                        pending = pending[:0]
                    if not pending:
                        selector.unregister(writer)
                        process.stdin.close()
                elif block := os.read(key.fd, 65536):
                    room = max(jail.max_output - len(kept[key.fd]), 0)
                    kept[key.fd] += block[:room]
                    truncated |= len(block) > room
                else:
                    selector.unregister(key.fd)
    out, err = (bytes(kept[stream.fileno()]) for stream in (process.stdout, process.stderr))
    for stream in (process.stdin, process.stdout, process.stderr):
        stream.close()
    process.wait()
    return out, err, timed_out, truncated


def _tasks_of(uid: int) -> int:
    """How many processes and threads ``uid`` has (Linux), which its process cap counts."""
    count = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").open())
        except (OSError, ValueError):
            continue
        if int(status.get("Uid", "-1").split()[0]) == uid:
            count += int(status.get("Threads", "1"))
    return count


def run(
    argv: Sequence[str],
    jail: Jail,
    *,
    env: Mapping[str, str],
    stdin: bytes = b"",
    pass_fds: Sequence[int] = (),
    sandbox: bool = True,
    cancel=None,
) -> Outcome:
    """Runs ``argv`` in ``jail`` and waits for it, at most ``jail.timeout`` seconds.

    Args:
        argv: the program (an absolute path, or a name found on ``env["PATH"]``) and its arguments.
        jail: the folders it sees and its limits.
        env: its whole environment (nothing else is passed on); ``HOME`` defaults to the scratch.
        stdin: bytes written to its standard input, which is then closed.
        pass_fds: open file descriptors it inherits under the same numbers, e.g. the write end of
            a pipe for results that no file in its reach can fake.
        sandbox: False runs it with the caller's rights and the same caps, without bubblewrap;
            only on the instructor's explicit request (``Outcome.sandboxed`` records it).
        cancel: a ``threading.Event``; once set, the whole tree is killed (within 0.2 s).

    Returns:
        An :class:`Outcome`.

    Raises:
        ValueError: ``argv`` is empty, ``jail.scratch`` or a ``jail.read_only`` path does not
            exist, or a limit of ``jail`` is not positive.
        RuntimeError: ``sandbox`` is True and :func:`sandbox_problem` gives a reason.
    """
    if not argv:
        raise ValueError("argv is empty: give the program to run.")
    scratch = Path(jail.scratch).resolve()
    if not scratch.is_dir():
        raise ValueError(f"jail.scratch={str(jail.scratch)!r} is not an existing folder.")
    for item in jail.read_only:
        host, inside = item if isinstance(item, tuple) else (item, item)
        if not Path(host).exists() or not Path(inside).is_absolute():
            raise ValueError(f"jail.read_only has {item!r}: no such path, or not absolute inside.")
    for name in ("memory_mb", "max_procs", "timeout", "max_output", "scratch_mb"):
        if getattr(jail, name) is not None and not getattr(jail, name) > 0:
            raise ValueError(f"jail.{name}={getattr(jail, name)!r} must be positive.")
    jail = replace(jail, scratch=scratch)
    child_env = {"HOME": str(scratch), **env}
    if sandbox:
        if problem := sandbox_problem():
            raise RuntimeError(f"no sandbox: {problem}")
        uid = None
        if os.geteuid() == 0:
            uid = _UID_BASE + next(_UIDS) % _UID_COUNT
            _hand_over(scratch, uid)
        command = bwrap_command(argv, jail, uid)
    else:
        procs = jail.max_procs
        if sys.platform.startswith("linux") and os.geteuid() != 0:
            procs += _tasks_of(os.getuid())  # the cap counts all of the caller's processes
        command = _limited(argv, replace(jail, max_procs=procs), -1)
    start = time.monotonic()
    group = None
    if jail.tree_memory_mb is not None and memory_cgroup_problem() is None:
        group = MemoryCgroup(jail.tree_memory_mb)
    gate = os.pipe() if group is not None else None
    if gate is not None:  # the child waits at the gate until it is in the group
        program = shutil.which(command[0], path=child_env.get("PATH", os.defpath)) or command[0]
        command = [sys.executable, "-I", "-S", "-c", _GATE, str(gate[0]), program, *command[1:]]
    try:
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=child_env,
                cwd=scratch,
                pass_fds=tuple(pass_fds) + ((gate[0],) if gate else ()),
                start_new_session=True,
            )
        except OSError:
            for fd in gate or ():
                os.close(fd)
            raise
        if gate is not None:
            os.close(gate[0])
            try:
                group.add(process.pid)
                os.write(gate[1], b"go")
            except OSError:
                process.kill()  # never let it run outside its group
                process.wait()
                raise
            finally:
                os.close(gate[1])
        watch = Watch(process.pid, jail.tree_memory_mb, cancel, group and group.oom_killed)
        stdout, stderr, timed_out, truncated = _pump(process, stdin, jail, watch)
    finally:
        if group is not None:
            oom = group.oom_killed()
            group.remove()
    seconds = time.monotonic() - start
    return Outcome(
        process.returncode,
        stdout,
        stderr,
        timed_out,
        truncated,
        sandbox,
        seconds,
        watch.memory_exceeded or (group is not None and oom),
    )
