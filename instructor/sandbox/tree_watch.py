"""A watchdog over a process tree: its memory all together, and a cancel event (Linux).

``RLIMIT_DATA`` caps each process on its own, so three forked children may each hold almost the
cap; :class:`Watch` sums the proportional set size (``Pss``: shared pages split between the
processes that map them) of a process and all its descendants and says when to stop the tree.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux ``/proc``)."""
    children: dict[int, list[int]] = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_memory_mb(pid: int) -> float:
    """Memory of ``pid`` and its descendants: the sum of their ``Pss`` (MiB)."""
    total = 0
    for member in descendants(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except (OSError, ValueError):
            continue
    return total / 1024


class Watch:
    """When to stop a child early: its tree's memory, the caller's cancel event."""

    def __init__(self, pid: int, memory_mb: float | None, cancel, killed_at_cap=None):
        """``killed_at_cap``: a function that says whether the kernel has already killed a
        process of the tree at its memory cap (a memory cgroup's OOM count); then the rest of
        the tree is stopped too."""
        self.pid, self.memory_mb, self.cancel = pid, memory_mb, cancel
        self.killed_at_cap = killed_at_cap
        self.memory_exceeded = False
        self.next_poll = 0.0

    def stop(self, now: float) -> bool:
        if self.cancel is not None and self.cancel.is_set():
            return True
        if self.memory_mb is None or now < self.next_poll:
            return False
        self.next_poll = now + 0.5
        if self.killed_at_cap is not None and self.killed_at_cap():
            self.memory_exceeded = True
        elif sys.platform.startswith("linux") and tree_memory_mb(self.pid) > self.memory_mb:
            self.memory_exceeded = True
        return self.memory_exceeded
