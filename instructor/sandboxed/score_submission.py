"""Score one competition submission folder and print its entry as one JSON line.

Run by the leaderboard inside the sandbox (standard library and the student library only), on a
copy of the folder whose files and ``model.keras`` config the leaderboard has already checked::

    python score_submission.py FOLDER TEXT_FILE MAX_PARAMS [PUBLIC_TEXT_FILE]

TEXT_FILE ranks; the optional PUBLIC_TEXT_FILE is scored next to it (``public_bits``).

The model is loaded with ``compile=False`` (its ``compile_config`` is never read) and in safe
mode, probed for look-ahead, scored, and, with a ``generation.json``, its sentence written again.
"""

import json
import os
import sys
from dataclasses import asdict


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4):
        print("usage: score_submission.py FOLDER TEXT_FILE MAX_PARAMS [PUBLIC]", file=sys.stderr)
        return 2
    folder, text_file, max_params = argv[0], argv[1], int(argv[2])
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    from helpers.competition import score_submission
    from helpers.data import read_text_file

    public = read_text_file(argv[3]) if len(argv) == 4 else None
    entry = score_submission(folder, read_text_file(text_file), max_params, public_text=public)
    print(json.dumps(asdict(entry)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
