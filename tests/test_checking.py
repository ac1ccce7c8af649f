"""helpers.checking.call_repeatedly: a loop in a notebook, one round trip in the grader."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from helpers.checking import MAX_TIMES, call_repeatedly
from instructor.grading.student_runs import student_proxy
from instructor.sandboxed.bridge import Bridge
from instructor.sandboxed.student_process import student_handler


def draw(rng, high):
    return int(rng.integers(high))


def test_in_a_notebook_it_is_a_loop_that_advances_the_generator():
    rng, twin = np.random.default_rng(5), np.random.default_rng(5)
    assert call_repeatedly(draw, 50, rng, high=10) == [draw(twin, 10) for _ in range(50)]
    assert rng.integers(10**9) == twin.integers(10**9)
    assert call_repeatedly(draw, 0, rng, 10) == []


@pytest.mark.parametrize("times", [-1, MAX_TIMES + 1, 2.0, True, "3"])
def test_a_bad_count_is_refused_naming_times(times):
    with pytest.raises(ValueError, match="times="):
        call_repeatedly(draw, times, np.random.default_rng(0), 10)


class _Pair:
    """A checker-side proxy and a student-side handler, talking over real pipes."""

    def __init__(self, namespace):
        a_read, b_write = os.pipe()
        b_read, a_write = os.pipe()
        self.fds = (a_read, b_write, b_read, a_write)
        self.checker = Bridge(a_read, a_write, None, None, None)
        handler = student_handler(namespace)
        self.student = Bridge(b_read, b_write, self._count(handler), None, None)
        self.calls = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _count(self, handler):
        def counted(target, args, kwargs):
            self.calls += 1
            return handler(target, args, kwargs)

        return counted

    def _serve(self):
        try:
            while True:
                self.student.serve(self.student.receive())
        except BaseException:  # noqa: BLE001 - the pipes closed: the test is over
            pass

    def close(self):
        for fd in self.fds:
            os.close(fd)
        self.thread.join(5)


def test_through_the_bridge_it_is_one_round_trip_with_the_same_results_and_generator():
    pair = _Pair({"draw": draw})
    try:
        proxy = student_proxy(pair.checker, "draw")
        rng, twin = np.random.default_rng(7), np.random.default_rng(7)
        assert call_repeatedly(proxy, 300, rng, 1000) == [draw(twin, 1000) for _ in range(300)]
        assert pair.calls == 1
        assert rng.integers(10**9) == twin.integers(10**9)  # the state came back
        assert proxy(rng, 3) == draw(twin, 3) and pair.calls == 2
    finally:
        pair.close()


def test_a_student_error_in_the_batch_reaches_the_check_as_that_error():
    def picky(rng, high):
        value = draw(rng, high)
        if value == 0:
            raise ValueError("zero")
        return value

    pair = _Pair({"picky": picky})
    try:
        with pytest.raises(ValueError, match="zero"):
            call_repeatedly(student_proxy(pair.checker, "picky"), 500, np.random.default_rng(0), 4)
    finally:
        pair.close()


def test_a_batch_of_the_wrong_length_fails_the_check():
    pair = _Pair({"draw": draw})
    pair.student.handler = lambda target, args, kwargs: [1, 2]  # a hostile student process
    try:
        with pytest.raises(ValueError, match="no list of 3 results"):
            call_repeatedly(student_proxy(pair.checker, "draw"), 3, np.random.default_rng(0), 4)
    finally:
        pair.close()
