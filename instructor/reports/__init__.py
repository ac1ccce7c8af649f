"""What instructors read: the gradebook's files and the competition's board.

* :mod:`~instructor.reports.plain`: the escaping every report applies to a submission's text;
* :mod:`~instructor.reports.gradebook_files`: every file of a gradebook, from its rows, built from
  :mod:`~instructor.reports.gradebook` (CSV, Markdown, feedback, LMS) and
  :mod:`~instructor.reports.score_plots` (the histogram picture);
* :mod:`~instructor.reports.board`: the leaderboard's Markdown, CSV and state file, with
  :mod:`~instructor.reports.board_ranking` (ranks and flags) and
  :mod:`~instructor.reports.board_page` (the HTML page).
"""
