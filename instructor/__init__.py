"""Instructor tools of the RNN course pack. Students never get this package; ``./course`` runs it.

* :mod:`instructor.cli`: the command line (``python -m instructor``), one contract for options;
* :mod:`instructor.notebooks`: the authoring contract, student copies, the release, running
  solutions;
* :mod:`instructor.grading`: grading submitted notebooks (checker and sandboxed student
  processes, only plain data between them);
* :mod:`instructor.competition`: checking, scoring and ranking competition submissions; the
  ballot;
* :mod:`instructor.reports`: the gradebook's files and the leaderboard's board;
* :mod:`instructor.sandbox` (and :mod:`instructor.sandboxed`, what runs inside it): one runner
  for untrusted code;
* :mod:`instructor.names`, :mod:`instructor.project`, :mod:`instructor.progress`: shared.

No module imports another module's private name, and imports form no cycle
(``tests/test_import_graph.py``).
"""
