"""Run one untrusted program in a :class:`~instructor.sandbox.jail.Jail` and wait for it.

:func:`run` starts it under bubblewrap (or, on the instructor's explicit request, without), puts
it in its own memory cgroup where one can be made, pumps its standard streams within the output
cap, watches the tree's memory and the clock, and returns an :class:`Outcome`. What the child
sees and which caps it gets is :mod:`instructor.sandbox.jail`'s job.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from instructor.sandbox.jail import Jail, bwrap_command, limited_command, next_uid, sandbox_problem
from instructor.sandbox.memory_cgroup import MemoryCgroup, memory_cgroup_problem
from instructor.sandbox.tree_watch import Watch

_GATE = (  # wait for the runner to put this process in its memory cgroup, then become argv
    "import os, sys; fd = int(sys.argv[1]); os.read(fd, 2); os.close(fd); "
    "os.execv(sys.argv[2], sys.argv[2:])"
)
_GRACE = 5.0  # seconds to read what is left in the pipes once the child is gone


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
            uid = next_uid()
            _hand_over(scratch, uid)
        command = bwrap_command(argv, jail, uid)
    else:
        procs = jail.max_procs
        if sys.platform.startswith("linux") and os.geteuid() != 0:
            procs += _tasks_of(os.getuid())  # the cap counts all of the caller's processes
        command = limited_command(argv, replace(jail, max_procs=procs), -1)
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
