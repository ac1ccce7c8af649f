"""Score one competition submission folder and print its entry as one JSON line.

Copied alone into the leaderboard's sandbox (it imports only the student library)::

    python score_submission.py FOLDER TEXT_FILE MAX_PARAMS
"""

import json
import sys
from dataclasses import asdict


def main(argv: list[str]) -> int:
    folder, text_file, max_params = argv[0], argv[1], int(argv[2])
    from helpers.competition import score_submission
    from helpers.data import read_text_file

    entry = score_submission(folder, read_text_file(text_file), max_params=max_params)
    print(json.dumps(asdict(entry)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
