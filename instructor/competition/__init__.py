"""The text-prediction competition: check, score and rank submissions; the best-sentence ballot.

Start at :func:`instructor.competition.leaderboard.leaderboard`. A submission meets:

* :mod:`~instructor.competition.submission_files` (and :mod:`~instructor.competition.archives`):
  read its files, a folder or a ``.zip``, without trusting them;
* :mod:`~instructor.competition.model_check`: the ``model.keras`` archive, before Keras sees it;
  :mod:`~instructor.competition.model_config` its config's allow-list,
  :mod:`~instructor.competition.model_params` its size, :mod:`~instructor.competition.causal_reach`
  and :mod:`~instructor.competition.layer_reach` the proof that it cannot look ahead;
* :mod:`~instructor.competition.scored_texts`: the texts it is scored on (public, private);
* :mod:`~instructor.competition.leaderboard`: scoring in the sandbox, the ranked entries;
* :mod:`~instructor.competition.ballot`: the anonymous ballot of sentences, and the tally.

The board's files are written by :mod:`instructor.reports.board`.
"""
