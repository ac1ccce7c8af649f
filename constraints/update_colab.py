"""Rewrite constraints/colab.txt from Colab's published package list (docs/maintainers.md).

    python constraints/update_colab.py PIP_FREEZE_GPU_TXT [--installed FREEZE]

Every pin whose package Colab lists gets Colab's version; the others (test tools Colab does not
have) keep theirs. With ``--installed`` (the ``pip freeze --exclude-editable`` of a fresh venv
made with ``pip install -c constraints/colab.txt -e '.[dev]'``) the file gets exactly the
installed packages: pins no longer installed go, new ones come in at Colab's version when Colab
has one, else at the installed one. The header comment is kept; check and update its dates and
versions by hand. Prints what changed.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)\s*$")
COLAB_TXT = Path(__file__).with_name("colab.txt")


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, tuple[str, str]]:
    """``{normalised name: (name as written, version)}`` of the ``name==version`` lines."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if found := PIN.match(line.strip()):
            pins[_key(found[1])] = (found[1], found[2])
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("colab_list", type=Path, help="Colab's pip-freeze.gpu.txt")
    parser.add_argument("--installed", type=Path, help="pip freeze of a fresh venv")
    args = parser.parse_args(argv)

    colab = read_pins(args.colab_list)
    current = read_pins(COLAB_TXT)
    names = read_pins(args.installed) if args.installed else current
    new = {}
    for key, (name, version) in names.items():
        name = current.get(key, (name, version))[0]
        version = colab[key][1] if key in colab else current.get(key, (name, version))[1]
        new[key] = (name, version)

    for key in sorted(set(current) | set(new)):
        before, after = current.get(key, ("", "-"))[1], new.get(key, ("", "-"))[1]
        if before != after:
            print(f"{key}: {before} -> {after}")
    lines = COLAB_TXT.read_text(encoding="utf-8").splitlines()
    header = [line for line in lines if line.startswith("#")]
    body = [f"{name}=={ver}" for name, ver in sorted(new.values(), key=lambda p: _key(p[0]))]
    COLAB_TXT.write_text("\n".join(header + body) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
