"""Grading submitted notebooks: two processes per notebook, only plain data between them.

Start at :func:`instructor.grading.run.grade_all`. The modules, in the order a submission meets
them:

* :mod:`~instructor.grading.submissions`: find the submitted notebooks, name their students;
* :mod:`~instructor.grading.submission_read`: read one as hostile input (a notebook, or a reason);
* :mod:`~instructor.grading.shards`: which students this machine grades, and the merge;
* :mod:`~instructor.grading.run`: the whole class, one row per student, exercise and notebook;
* :mod:`~instructor.grading.checkers`: the grader's checker processes, one per worker;
* :mod:`~instructor.grading.checker`: the checker process (the solution's state and the checks);
* :mod:`~instructor.grading.student_runs`: one sandboxed student process, seen from the checker;
* :mod:`~instructor.grading.verdicts`: the limits, and the points and reasons of each exercise;
* :mod:`~instructor.grading.policy` and :mod:`~instructor.grading.policy_names`: the exercise
  policy (advice in the feedback, never points).

The code that runs inside the sandbox is in :mod:`instructor.sandboxed`; the gradebook's files
are written by :mod:`instructor.reports.gradebook_files`.
"""
