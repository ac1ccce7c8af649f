"""Tests of instructor.sandbox: what an untrusted child can see and do, and its caps.

The child programs are small Python scripts run with this interpreter (``sys.executable``, the
environment the sandbox binds read-only). Tests that need bubblewrap skip, with the reason, where
:func:`sandbox_problem` finds none; the caps and the unsandboxed mode are tested everywhere.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import textwrap
import time
from pathlib import Path

import pytest

from instructor.sandbox import Jail, run, sandbox_problem
from instructor.sandbox.memory_cgroup import memory_cgroup_problem

REPOSITORY = Path(__file__).resolve().parents[1]

needs_sandbox = pytest.mark.skipif(
    sandbox_problem() is not None, reason=f"no sandbox here: {sandbox_problem()}"
)
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="RLIMIT_DATA and RLIMIT_NPROC are Linux caps"
)
both_modes = pytest.mark.parametrize(
    "sandboxed",
    [
        pytest.param(True, marks=needs_sandbox, id="sandboxed"),
        pytest.param(False, id="unsandboxed"),
    ],
)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "scratch"
    folder.mkdir()
    return folder


def python(code: str, jail: Jail, *, env: dict | None = None, **options):
    """Run ``code`` with this interpreter in ``jail``; return the outcome and its last JSON line."""
    env = {"PATH": "/usr/bin:/bin", **(env or {})}
    outcome = run([sys.executable, "-c", textwrap.dedent(code)], jail, env=env, **options)
    lines = outcome.stdout.decode(errors="replace").strip().splitlines()
    try:
        return outcome, json.loads(lines[-1])
    except (IndexError, ValueError):
        return outcome, None


OPEN_ALL = """
    import json, sys
    result = {}
    for path in sys.argv[1:]:
        try:
            with open(path) as file:
                result[path] = file.read()
        except OSError as error:
            result[path] = type(error).__name__
    print(json.dumps(result))
"""


def test_sandbox_problem_is_none_or_one_line():
    problem = sandbox_problem()
    assert problem is None or (problem and "\n" not in problem)
    assert sandbox_problem() is problem  # tried once


def test_sandbox_problem_names_the_fix(monkeypatch):
    import instructor.sandbox.jail as module

    monkeypatch.setattr(module.shutil, "which", lambda name: None)
    monkeypatch.setattr(module.sys, "platform", "linux")
    assert (
        sandbox_problem.__wrapped__() == "bubblewrap is not installed: apt-get install bubblewrap"
    )
    monkeypatch.setattr(module.sys, "platform", "darwin")
    assert sandbox_problem.__wrapped__() == "bubblewrap needs Linux, this is darwin"


@needs_sandbox
def test_unbound_folders_are_invisible(tmp_path, scratch):
    solutions, home = tmp_path / "solutions", tmp_path / "home"
    solutions.mkdir()
    home.mkdir()
    (solutions / "01.ipynb").write_text("the answers")
    (home / ".netrc").write_text("password")
    targets = [solutions / "01.ipynb", home / ".netrc", REPOSITORY / "instructor/sandbox/jail.py",
               REPOSITORY / "pyproject.toml", REPOSITORY / "solutions"]  # fmt: skip
    outcome = run([sys.executable, "-c", textwrap.dedent(OPEN_ALL), *map(str, targets)],
                  Jail(scratch), env={})  # fmt: skip
    assert outcome.returncode == 0, outcome.stderr
    seen = json.loads(outcome.stdout)
    assert seen == {str(path): "FileNotFoundError" for path in targets}
    assert outcome.sandboxed
    # The instructor's home shows only the way to the Python the child runs, if it lies there.
    home = Path.home()
    code = f"import json, os; print(json.dumps(os.listdir({str(home)!r})))"
    outcome, listed = python(code, Jail(scratch))
    prefixes = (sys.prefix, sys.base_prefix, os.path.realpath(sys.executable))
    roots = {Path(p).resolve() for p in prefixes}
    ways = {r.relative_to(home).parts[0] for r in roots if r.is_relative_to(home)}
    assert set(listed or ()) <= ways, outcome.stderr


@needs_sandbox
def test_read_only_binds_are_readable_not_writable(tmp_path, scratch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "text.txt").write_text("shared text")
    (tmp_path / "other.txt").write_text("elsewhere")
    for path, mode in ((data, 0o777), (data / "text.txt", 0o666), (tmp_path / "other.txt", 0o666)):
        path.chmod(mode)  # only the read-only bind stops writes, not the permissions
    code = """
        import json
        result = {"read": open(DATA + "/text.txt").read(), "pair": open("/inputs/other.txt").read()}
        for path in (DATA + "/text.txt", DATA + "/new.txt", "/inputs/other.txt"):
            try:
                open(path, "a").write("x")
                result[path] = "written"
            except OSError as error:
                result[path] = error.strerror
        print(json.dumps(result))
    """.replace("DATA", repr(str(data)))
    jail = Jail(scratch, read_only=(data, (tmp_path / "other.txt", Path("/inputs/other.txt"))))
    outcome, result = python(code, jail)
    assert outcome.returncode == 0, outcome.stderr
    assert result["read"] == "shared text" and result["pair"] == "elsewhere"
    assert [result[p] for p in (f"{data}/text.txt", f"{data}/new.txt", "/inputs/other.txt")] == [
        "Read-only file system"
    ] * 3
    assert (data / "text.txt").read_text() == "shared text"
    assert not (data / "new.txt").exists()


@both_modes
def test_scratch_is_writable_and_home(scratch, sandboxed):
    (scratch / "given.txt").write_text("from the caller")
    code = """
        import json, os
        open("out.txt", "w").write(open("given.txt").read().upper())
        os.makedirs(os.path.expanduser("~/.keras"))
        print(json.dumps({"cwd": os.getcwd(), "home": os.environ["HOME"], "env": sorted(os.environ),
                          "uid": os.getuid()}))
    """
    os.environ["SANDBOX_TEST_PARENT_ONLY"] = "not for the child"
    try:
        outcome, result = python(code, Jail(scratch), env={"COURSE_SMOKE": "1"}, sandbox=sandboxed)
    finally:
        del os.environ["SANDBOX_TEST_PARENT_ONLY"]
    assert outcome.returncode == 0, outcome.stderr
    assert (scratch / "out.txt").read_text() == "FROM THE CALLER"
    assert (scratch / ".keras").is_dir()
    assert result["cwd"] == result["home"] == str(scratch.resolve())
    assert "COURSE_SMOKE" in result["env"] and "SANDBOX_TEST_PARENT_ONLY" not in result["env"]
    assert outcome.sandboxed is sandboxed
    if sandboxed:
        assert result["uid"] != 0


@needs_sandbox
def test_child_has_no_capabilities_and_cannot_write_the_system(scratch):
    code = """
        import json
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        result = {"caps": status["CapEff"].strip(), "nnp": status["NoNewPrivs"].strip()}
        for path in ("/etc/x", "/usr/x", "/x", "/dev/x", "/proc/sys/kernel/hostname"):
            try:
                open(path, "w").write("x")
                result[path] = "written"
            except OSError as error:
                result[path] = type(error).__name__
        print(json.dumps(result))
    """
    outcome, result = python(code, Jail(scratch))
    assert outcome.returncode == 0, outcome.stderr
    assert int(result.pop("caps"), 16) == 0 and result.pop("nnp") == "1"
    assert "written" not in result.values()


@needs_sandbox
def test_no_network(scratch):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = f"""
            import json, socket
            result = {{}}
            for name, address in (("loopback", ("127.0.0.1", {port})), ("dns", ("1.1.1.1", 53)),
                                  ("web", ("93.184.216.34", 80))):
                try:
                    socket.create_connection(address, timeout=5).close()
                    result[name] = "connected"
                except OSError as error:
                    result[name] = type(error).__name__
            try:
                result["resolve"] = socket.getaddrinfo("example.org", 443)[0][4][0]
            except OSError as error:
                result["resolve"] = type(error).__name__
            print(json.dumps(result))
        """
        outcome, result = python(code, Jail(scratch, timeout=60))
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody knocked
    assert outcome.returncode == 0, outcome.stderr
    assert set(result) == {"loopback", "dns", "web", "resolve"}
    assert result["loopback"] == "ConnectionRefusedError"  # its own loopback, not the host's
    assert "connected" not in result.values() and result["resolve"] == "gaierror", result


@linux_only
@both_modes
def test_memory_cap_stops_huge_and_gradual_allocations(scratch, sandboxed):
    import resource

    before = resource.getrlimit(resource.RLIMIT_DATA)
    jail = Jail(scratch, memory_mb=1024, timeout=120)
    small = "import json, numpy; print(json.dumps(float(numpy.ones(2**20).sum())))"
    outcome, result = python(small, jail, sandbox=sandboxed)
    assert outcome.returncode == 0 and result == 2**20, outcome.stderr
    outcome, _ = python("import numpy; numpy.ones(2**34)", jail, sandbox=sandboxed)  # 128 GiB
    assert outcome.returncode != 0 and b"MemoryError" in outcome.stderr
    gradual = """
        import json
        blocks = []
        try:
            while len(blocks) < 64:  # 64 x 64 MiB = 4 GiB, four times the cap
                blocks.append(bytearray(64 * 2**20))
        except MemoryError:
            pass
        print(json.dumps(len(blocks)))
    """
    outcome, got = python(gradual, jail, sandbox=sandboxed)
    assert outcome.returncode == 0, outcome.stderr
    assert got < 16  # stopped before 1 GiB
    assert resource.getrlimit(resource.RLIMIT_DATA) == before  # the runner is unaffected


FORK_LOOP = """
    import json, os
    read, write = os.pipe()
    forks, error = 0, None
    while forks < 1000:
        try:
            pid = os.fork()
        except OSError as caught:
            error = caught.strerror
            break
        if pid == 0:  # wait until the parent is gone, then leave
            os.close(write)
            os.read(read, 1)
            os._exit(0)
        forks += 1
    print(json.dumps({"forks": forks, "error": error}))
"""


@needs_sandbox
def test_process_cap_stops_a_fork_loop(scratch):
    outcome, result = python(FORK_LOOP, Jail(scratch, max_procs=64, timeout=120))
    assert outcome.returncode == 0, outcome.stderr
    assert result["forks"] < 64 and result["error"] == "Resource temporarily unavailable"


@both_modes
def test_timeout_kills_the_whole_tree(scratch, sandboxed):
    marker = f"{1000 + random.random():.9f}"
    code = f"""
        import subprocess, time
        subprocess.Popen(["sleep", "{marker}"])
        print("started", flush=True)
        time.sleep(1000)
    """
    outcome, _ = python(code, Jail(scratch, timeout=3), sandbox=sandboxed)
    assert outcome.timed_out and outcome.returncode == -9
    assert outcome.stdout == b"started\n"
    for _ in range(50):  # the kernel may need a moment to tear the sandbox down
        if not any(marker.encode() in cmdline for cmdline in _command_lines()):
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the grandchild 'sleep {marker}' outlived the time limit")


def _command_lines() -> list[bytes]:
    lines = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            lines.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            pass
    return lines


@both_modes
def test_a_quick_child_is_not_timed_out(scratch, sandboxed):
    outcome, _ = python("import sys; sys.exit(3)", Jail(scratch), sandbox=sandboxed)
    assert (outcome.returncode, outcome.timed_out, outcome.output_truncated) == (3, False, False)


@both_modes
def test_output_is_capped_and_flagged(scratch, sandboxed):
    code = "import sys; sys.stdout.write('o' * 300_000); sys.stderr.write('e' * 500)"
    outcome, _ = python(code, Jail(scratch, max_output=1000), sandbox=sandboxed)
    assert outcome.returncode == 0
    assert outcome.stdout == b"o" * 1000 and outcome.stderr == b"e" * 500
    assert outcome.output_truncated
    outcome, _ = python(code, Jail(scratch, max_output=300_000), sandbox=sandboxed)
    assert len(outcome.stdout) == 300_000 and not outcome.output_truncated


@both_modes
def test_stdin_and_pass_fds(scratch, sandboxed):
    read, write = os.pipe()
    code = f"""
        import os, sys
        data = sys.stdin.buffer.read()
        os.write({write}, b"results: %d bytes" % len(data))
    """
    try:
        outcome, _ = python(code, Jail(scratch), stdin=b"x" * 3_000_000, pass_fds=(write,),
                            sandbox=sandboxed)  # fmt: skip
    finally:
        os.close(write)
    with os.fdopen(read, "rb") as pipe:
        assert pipe.read() == b"results: 3000000 bytes"
    assert outcome.returncode == 0, outcome.stderr


def test_a_child_that_never_reads_its_stdin_still_times_out(scratch):
    outcome, _ = python("import time; time.sleep(1000)", Jail(scratch, timeout=2),
                        stdin=b"x" * 10_000_000, sandbox=False)  # fmt: skip
    assert outcome.timed_out


def test_unsandboxed_runs_are_recorded_as_such(tmp_path, scratch):
    (tmp_path / "solutions.txt").write_text("the answers")
    argv = [sys.executable, "-c", textwrap.dedent(OPEN_ALL), str(tmp_path / "solutions.txt")]
    outcome = run(argv, Jail(scratch), env={}, sandbox=False)
    assert json.loads(outcome.stdout) == {str(tmp_path / "solutions.txt"): "the answers"}
    assert outcome.sandboxed is False


def test_arguments_are_checked(tmp_path, scratch):
    with pytest.raises(ValueError, match="jail.scratch"):
        run([sys.executable], Jail(tmp_path / "missing"), env={}, sandbox=False)
    with pytest.raises(ValueError, match="jail.memory_mb"):
        run([sys.executable], Jail(scratch, memory_mb=0), env={}, sandbox=False)
    with pytest.raises(ValueError, match="jail.read_only"):
        run([sys.executable], Jail(scratch, read_only=(tmp_path / "missing",)), env={})
    with pytest.raises(ValueError, match="argv"):
        run([], Jail(scratch), env={}, sandbox=False)


@pytest.mark.slow
@needs_sandbox
def test_tensorflow_and_keras_run_with_the_default_caps(scratch):
    code = """
        import json, time
        start = time.monotonic()
        import keras, numpy, tensorflow
        seconds = time.monotonic() - start
        model = keras.Sequential([keras.Input((5, 3)), keras.layers.LSTM(4), keras.layers.Dense(1)])
        model.compile("adam", "mse")
        model.fit(numpy.zeros((32, 5, 3)), numpy.zeros((32, 1)), epochs=1, verbose=0)
        model.save("model.keras")
        status = dict(line.split(":", 1) for line in open("/proc/self/status"))
        print(json.dumps({"threads": int(status["Threads"]), "import_seconds": seconds}))
    """
    env = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    outcome, result = python(code, Jail(scratch), env=env)
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert (scratch / "model.keras").is_file()
    print(f"TensorFlow in the sandbox: {result}")


MEMFD_HOARD = """
    import json, os, time
    held = []
    for _ in range(6):  # 6 x 128 MiB written, never mapped: no Pss, no RLIMIT_DATA
        fd = os.memfd_create("hoard")
        block = b"x" * 2**20
        for _ in range(128):
            os.write(fd, block)
        held.append(fd)
        print(json.dumps(len(held)), flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(memory_cgroup_problem() is not None, reason=f"{memory_cgroup_problem()}")
@both_modes
def test_memory_held_outside_any_mapping_is_capped_by_the_cgroup(scratch, sandboxed):
    """Attack review: memfds filled with write() held 6 GiB past the 4 GiB cap of the tree."""
    jail = Jail(scratch, memory_mb=256, tree_memory_mb=400, timeout=120)
    outcome, held = python(MEMFD_HOARD, jail, sandbox=sandboxed)
    assert outcome.memory_exceeded and not outcome.timed_out, outcome.stderr[-300:]
    assert held is not None and held <= 3, held  # stopped near 400 MiB, not at 768
    assert outcome.seconds < 60
