"""One progress line per finished item, for long commands (grade, leaderboard, run-all).

    [3/36] alice / 05b_text_generation.ipynb: 9/9 (12.0 s), about 7 min left

The time left is the wall time so far per finished item times the items still to come, so it
accounts for items running side by side. ``verbosity`` 0 (``-q``) prints nothing, 1 the item
lines, 2 (``-v``) also the details a command reports inside an item (run-all: every cell).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

QUIET, NORMAL, VERBOSE = 0, 1, 2


def verbosity(quiet: bool, verbose: bool) -> int:
    """The level for the ``-q``/``-v`` flags of a command (``-q`` wins)."""
    return QUIET if quiet else VERBOSE if verbose else NORMAL


def _minutes(seconds: float) -> str:
    return "under a minute" if seconds < 60 else f"about {round(seconds / 60)} min"


class Progress:
    """Counts finished items out of ``total`` and prints a line for each (thread-safe).

    Args:
        total: how many items the command will finish.
        level: :data:`QUIET`, :data:`NORMAL` or :data:`VERBOSE`.
        stream: where the lines go (standard error by default, so results can be piped).
        clock: seconds, monotonic (a test passes its own).
    """

    def __init__(
        self,
        total: int,
        *,
        level: int = NORMAL,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total, self.level, self.clock = total, level, clock
        self.stream = stream if stream is not None else sys.stderr
        self.finished = 0
        self.start = clock()
        self._lock = threading.Lock()

    def done(self, item: str, result: str, seconds: float) -> str:
        """Count ``item`` as finished with ``result`` after ``seconds``; return its line."""
        with self._lock:
            self.finished += 1
            elapsed = self.clock() - self.start
            left = self.total - self.finished
            if left > 0:
                tail = f", {_minutes(elapsed / self.finished * left)} left"
            else:
                tail = f", all {self.total} done in {elapsed / 60:.1f} min"
            line = f"[{self.finished}/{self.total}] {item}: {result} ({seconds:.1f} s){tail}"
            if self.level >= NORMAL:
                print(line, file=self.stream, flush=True)
            return line

    def detail(self, text: str) -> None:
        """A line inside the current item, printed only at :data:`VERBOSE`."""
        if self.level >= VERBOSE:
            with self._lock:
                print(f"    {text}", file=self.stream, flush=True)
