"""Tools for the notebooks' checks.

Checks are plain Python that run in the notebook and, unchanged, in the course's grader, where
each of your functions is called from another process. A check that calls a function thousands
of times (to count how often a sampler draws each id) asks for the calls in one go with
:func:`call_repeatedly`, so that the grader can make them in one round trip.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

MAX_TIMES = 100_000
"""Most calls one :func:`call_repeatedly` makes."""


def call_repeatedly(function: Callable[..., Any], times: int, /, *args: Any, **kwargs: Any) -> list:
    """The results of ``times`` calls ``function(*args, **kwargs)``, in order.

    The same argument objects are passed to every call, as in a loop, so a NumPy
    ``Generator`` among them advances from one call to the next.

    Args:
        function: what to call.
        times: how many calls, 0 to :data:`MAX_TIMES`.

    Returns:
        A list of ``times`` results. If ``function`` carries its own ``call_repeatedly`` (the
        grader's stand-in for a student's function does), that makes the calls instead.
    """
    if type(times) is not int or not 0 <= times <= MAX_TIMES:
        raise ValueError(f"times={times!r} must be an int from 0 to {MAX_TIMES:,}.")
    own = getattr(function, "call_repeatedly", None)
    if callable(own):
        return own(times, *args, **kwargs)
    return [function(*args, **kwargs) for _ in range(times)]
