"""Notebooks: the authoring contract, student copies, the release, and running solutions.

* :mod:`~instructor.notebooks.format`: the contract of a solution (tags, markers, exercises);
* :mod:`~instructor.notebooks.io`: the one way notebooks are read, written and cleaned;
* :mod:`~instructor.notebooks.transforms`: small transforms, one job each, that make a student
  copy (drop solution-only cells, strip solutions, strip hidden checks, clean, set the install
  line, add the badge);
* :mod:`~instructor.notebooks.student_copies`: ``./course students``, the transforms in order;
* :mod:`~instructor.notebooks.leaks`: what a copy must not show, checked before anything is
  written;
* :mod:`~instructor.notebooks.install_line`: every solution's install line from
  ``pyproject.toml``;
* :mod:`~instructor.notebooks.release` and :mod:`~instructor.notebooks.student_files`: the
  student release tree, scanned for answers;
* :mod:`~instructor.notebooks.run_all`: execute solutions (``notebooks execute``, ``run-all``).
"""
