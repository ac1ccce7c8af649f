"""Instructor tools of the RNN course pack: the notebook format, student copies, the release,
grading and the competition leaderboard. Students never get this package; ``./course`` runs it.
"""
