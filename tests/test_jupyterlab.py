"""A fresh student copy opens in JupyterLab 4 unmodified (checked in headless Chromium).

JupyterLab writes the running kernel's kernelspec and language_info into a notebook when the
kernel connects, and marks the notebook modified when they differ from what the file holds.
The pack stores ipykernel's values (instructor.notebooks.format.language_info); the copies as
they were stored before (display name "Python 3", language_info {"name": "python"}) open
modified, which is what students saw.
"""

from __future__ import annotations

import itertools
import json
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from instructor.notebooks.io import KERNELSPEC, language_info, read, write

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
JUPYTER = Path(sys.executable).with_name("jupyter")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="no chromium: apt-get install chromium"),
    pytest.mark.skipif(not JUPYTER.exists(), reason="JupyterLab is not installed (lab extra)"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds:g} s")


def _dirty_tabs(url: str, profile: Path, wait: float = 60) -> list[list]:
    """Open ``url`` in headless Chromium; list [label, dirty] of its tabs once the kernel is
    connected and idle (the status bar says so), or after ``wait`` real seconds.

    A fixed 15 s was too short on a loaded machine: the kernel had not connected yet, so an
    old notebook still looked clean."""
    import websocket  # websocket-client, a Jupyter server dependency

    port = _free_port()
    chrome = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--remote-debugging-port={port}", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/json/version")
        pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json"))
        page = next(p for p in pages if p["type"] == "page")
        connection = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True)
        script = ("JSON.stringify([!!document.body && document.body.innerText.includes('| Idle'), "
                  "[...document.querySelectorAll('.lm-DockPanel .lm-TabBar-tab')]"
                  ".map(t => [t.innerText, t.classList.contains('jp-mod-dirty')])])")  # fmt: skip
        deadline, tabs = time.monotonic() + wait, []
        for ask in itertools.count(1):
            connection.send(json.dumps({"id": ask, "method": "Runtime.evaluate",
                                        "params": {"expression": script}}))  # fmt: skip
            answer = json.loads(connection.recv()).get("result", {}).get("result", {})
            idle, tabs = json.loads(answer.get("value", "[false, []]"))  # the page may not be up
            if idle or time.monotonic() > deadline:
                time.sleep(2)  # what the kernel's connection changes, a moment later
                connection.send(json.dumps({"id": 0, "method": "Runtime.evaluate",
                                            "params": {"expression": script}}))  # fmt: skip
                return json.loads(json.loads(connection.recv())["result"]["result"]["value"])[1]
            time.sleep(1)
    finally:
        chrome.kill()
        chrome.wait()


def test_a_fresh_student_copy_opens_unmodified_and_the_old_metadata_did_not(tmp_path):
    folder = tmp_path / "lab"
    folder.mkdir()
    student = read(ROOT / "notebooks" / "00_setup_check.ipynb")
    # What the pack stores, for the Python this kernel runs (the committed copies carry the CI
    # machines' version, instructor.notebooks.io.PYTHON_VERSION).
    student.metadata["language_info"] = language_info(platform.python_version())
    assert student.metadata["kernelspec"] == KERNELSPEC
    write(student, folder / "fresh.ipynb")
    student.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python",
                                      "name": "python3"}  # fmt: skip
    student.metadata["language_info"] = {"name": "python"}
    write(student, folder / "before.ipynb")
    port = _free_port()
    lab = subprocess.Popen(
        [str(JUPYTER), "lab", "--no-browser", f"--port={port}", "--ServerApp.token=",
         "--ServerApp.password=", "--allow-root", f"--ServerApp.root_dir={folder}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder,
    )  # fmt: skip
    try:
        _wait_for(f"http://127.0.0.1:{port}/lab")
        seen = {}
        for name in ("fresh", "before"):
            url = f"http://127.0.0.1:{port}/lab/workspaces/{name}/tree/{name}.ipynb?reset"
            seen[name] = _dirty_tabs(url, tmp_path / f"profile-{name}")
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: do not let cleanup fail the test
            lab.kill()
            lab.wait()
    assert seen["fresh"] == [["fresh.ipynb", False]], seen
    assert seen["before"] == [["before.ipynb", True]], seen
