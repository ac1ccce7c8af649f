"""One runner for untrusted child processes: the grader's notebooks and the leaderboard's models.

On Linux the child runs under bubblewrap (``apt-get install bubblewrap``):

* no network, and its own process, IPC and host-name namespaces;
* a read-only system (``/usr``, ``/etc``) and Python (this interpreter's prefixes), plus the
  read-only paths the caller names; a private writable scratch folder (also the working
  directory and ``HOME``) and a private ``/tmp``; **nothing else** of the host is visible: not
  the repository's ``solutions/`` or ``instructor/``, not other submissions, not ``/root``;
* an unprivileged user id (via ``setpriv``), so that the process cap applies (the kernel never
  caps root's processes);
* caps from ``prlimit``: private writable memory (``RLIMIT_DATA``, which TensorFlow tolerates
  where an address-space cap would break its start), the number of processes and threads, file
  size, no core dumps; a wall-clock limit that kills the whole process tree; and the output kept
  from stdout and stderr (the rest is read and discarded, and flagged).

``sandbox=False`` runs the same command with the same caps but without bubblewrap, as the
instructor: callers allow it only on an explicit flag and say so in their reports.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_UIDS = itertools.count()
_UID_BASE = 61000
"""Sandboxed runs get user ids 61000-61999 (no account needed), one per run."""
_MAX_FILE_MB = 1024


@dataclass(frozen=True)
class Jail:
    """Where and within which limits one untrusted process runs.

    Attributes:
        scratch: host folder, bound read-write at the same path; the working directory.
        read_only: host paths bound read-only at the same path, or ``(host, inside)`` pairs.
        memory_mb: cap on private writable memory (MiB).
        max_procs: cap on processes and threads of the run's user.
        timeout: wall-clock seconds before the whole process tree is killed.
        max_output: bytes kept of stdout and of stderr each.
    """

    scratch: Path
    read_only: tuple[Path | tuple[Path, Path], ...] = ()
    memory_mb: int = 4096
    max_procs: int = 512
    timeout: float = 300.0
    max_output: int = 1_000_000


@dataclass(frozen=True)
class Outcome:
    """How an untrusted process ended."""

    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool
    output_truncated: bool
    sandboxed: bool
    seconds: float


def _python_roots() -> list[Path]:
    """Folders of this interpreter and its environment (real paths, outside /usr)."""
    roots = set()
    for prefix in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.executable):
        for path in (Path(prefix), Path(prefix).resolve()):
            path = path if path.is_dir() else path.parent
            if not path.is_relative_to("/usr"):
                roots.add(path)
    if not Path(sys.executable).resolve().is_relative_to("/usr"):
        roots.add(Path(sys.executable).resolve().parents[1])
    return sorted(roots)


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args + ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]


def bwrap_command(argv: Sequence[str], jail: Jail, env: Mapping[str, str], uid: int) -> list[str]:
    """The full command line that runs ``argv`` in ``jail`` (exposed for tests and debugging)."""
    binds: list[tuple[str, Path, Path]] = [("--ro-bind", p, p) for p in _python_roots()]
    for item in jail.read_only:
        host, inside = item if isinstance(item, tuple) else (item, item)
        binds.append(("--ro-bind", Path(host), Path(inside)))
    binds.append(("--bind", jail.scratch, jail.scratch))
    parents = {p for _, _, inside in binds for p in inside.parents if p != Path("/")}
    system = {Path("/usr"), Path("/etc"), Path("/proc"), Path("/dev")}
    parents = {p for p in parents if not any(p.is_relative_to(s) for s in system)}
    args = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", *_system_args()]  # fmt: skip
    for parent in sorted(parents, key=lambda p: len(p.parts)):
        args += ["--perms", "0755", "--dir", str(parent)]
    for flag, host, inside in binds:
        args += [flag, str(host), str(inside)]
    args += ["--chdir", str(jail.scratch), "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    drop = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]
    return [*args, "--", *drop, *argv]


def _limits(jail: Jail) -> list[str]:
    memory = jail.memory_mb * 2**20
    return ["prlimit", f"--data={memory}", f"--nproc={jail.max_procs}", "--core=0",
            f"--fsize={_MAX_FILE_MB * 2**20}", "--"]  # fmt: skip


@cache
def sandbox_problem() -> str | None:
    """None when bubblewrap works here; otherwise a one-line reason and the fix."""
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux, this is {sys.platform}"
    missing = [tool for tool in ("bwrap", "setpriv", "prlimit") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not found: apt-get install bubblewrap util-linux"
    if os.geteuid() != 0:
        return "the sandbox drops to an unprivileged user id, which needs root: run as root"
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"sandbox-probe-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        command = bwrap_command([sys.executable, "-c", "pass"], Jail(scratch), {}, _UID_BASE)
        done = subprocess.run(command, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap could not start: {error}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if done.returncode != 0:
        first = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[0]
        return f"bwrap cannot create a sandbox here: {first}"
    return None


def _drain(stream, keep: int, into: list[bytes], flags: dict) -> None:
    """Read ``stream`` to its end; keep the first ``keep`` bytes, flag when more came."""
    kept = 0
    while block := stream.read(65536):
        if kept < keep:
            into.append(block[: keep - kept])
        if kept + len(block) > keep:
            flags["truncated"] = True
        kept += len(block)
    stream.close()


def run(
    argv: Sequence[str],
    jail: Jail,
    *,
    env: Mapping[str, str],
    stdin: bytes = b"",
    pass_fds: Sequence[int] = (),
    sandbox: bool = True,
) -> Outcome:
    """Run ``argv`` in ``jail`` and wait for it (at most ``jail.timeout`` seconds).

    Raises:
        RuntimeError: ``sandbox`` is True and :func:`sandbox_problem` has a reason.
        ValueError: ``jail.scratch`` is not an existing folder, or a limit is not positive.
    """
    if not Path(jail.scratch).is_dir():
        raise ValueError(f"jail.scratch={str(jail.scratch)!r} is not an existing folder.")
    if min(jail.memory_mb, jail.max_procs, jail.timeout, jail.max_output) <= 0:
        raise ValueError(f"every limit of {jail} must be positive.")
    if sandbox:
        if problem := sandbox_problem():
            raise RuntimeError(f"no sandbox: {problem}")
        uid = _UID_BASE + next(_UIDS) % 1000
        os.chmod(jail.scratch, 0o777)  # the run's user id owns what it writes there
        command = _limits(jail) + bwrap_command(argv, jail, env, uid)
        child_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
    else:
        command, child_env = _limits(jail) + list(argv), dict(env)
    start = time.monotonic()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=child_env,
        cwd=jail.scratch,
        pass_fds=tuple(pass_fds),
        start_new_session=True,
    )
    out: list[bytes] = []
    err: list[bytes] = []
    flags: dict = {}
    readers = [threading.Thread(target=_drain, args=(process.stdout, jail.max_output, out, flags)),
               threading.Thread(target=_drain, args=(process.stderr, jail.max_output, err, flags))]  # fmt: skip
    for reader in readers:
        reader.start()
    try:
        process.stdin.write(stdin)
        process.stdin.close()
    except BrokenPipeError:
        pass
    timed_out = False
    try:
        process.wait(timeout=jail.timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the whole tree, whatever it started
        except (ProcessLookupError, PermissionError):
            pass
        process.wait()
    for reader in readers:
        reader.join()
    return Outcome(process.returncode, b"".join(out), b"".join(err), timed_out,
                   bool(flags.get("truncated")), sandbox, time.monotonic() - start)  # fmt: skip
