"""The sandbox for untrusted code: the jail a child sees, and the runner that starts and stops it.

Callers use this package's names (``from instructor import sandbox``; ``sandbox.run(argv,
sandbox.Jail(scratch), env=sandbox.python_env(scratch))``); the modules behind them:

* :mod:`~instructor.sandbox.jail`: what the child sees and its per-process caps (bubblewrap);
* :mod:`~instructor.sandbox.runner`: start, pump, time out, kill; the :class:`Outcome`;
* :mod:`~instructor.sandbox.tree_watch` and :mod:`~instructor.sandbox.memory_cgroup`: the memory
  of the whole process tree;
* :mod:`~instructor.sandbox.remove_tree`: delete what a run wrote, however deep.
"""

from instructor.sandbox.jail import Jail, bwrap_command, python_env, sandbox_problem
from instructor.sandbox.runner import Outcome, run

__all__ = ["Jail", "Outcome", "bwrap_command", "python_env", "run", "sandbox_problem"]
