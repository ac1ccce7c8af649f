"""Every command's --help works and names the command as ./course spells it; the docs name
only commands that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from instructor.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = (ROOT / "course").read_text(encoding="utf-8")
SCRIPT_ONLY = {"setup", "lab", "test", "run", "help"}  # the shell script's own commands
NESTED = {"notebooks": ["execute", "clean", "run-all"], "gradebook": ["merge"]}
COMMAND_LINES = [[name] for name in COMMANDS] + [
    [name, action] for name, actions in NESTED.items() for action in actions
]


@pytest.mark.parametrize("words", COMMAND_LINES, ids=" ".join)
def test_help_exits_cleanly_and_names_the_command_as_typed(words, capsys):
    with pytest.raises(SystemExit) as stopped:
        main([*words, "--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: ./course {' '.join(words)} "), out[:120]
    assert "options:" in out


def test_the_script_routes_and_lists_every_command_and_nothing_else():
    routed = re.search(r"^  ([a-z|]+)\)\n\s+setup; quiet_tensorflow; exec \"\$PY\" -m instructor "
                       r"\"\$cmd\"", SCRIPT, re.MULTILINE)  # fmt: skip
    assert routed, "the script's dispatch line for the instructor commands moved"
    assert set(routed[1].split("|")) == set(COMMANDS)
    usage = SCRIPT[SCRIPT.index("Usage:") : SCRIPT.index("TXT\n}")]
    listed = set(re.findall(r"^  ([a-z-]+) ", usage, re.MULTILINE))
    assert listed == set(COMMANDS) | SCRIPT_ONLY


def test_docs_and_docstrings_name_only_commands_that_exist():
    known = set(COMMANDS) | SCRIPT_ONLY | {"COMMAND"}
    sources = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    sources += sorted((ROOT / "instructor").rglob("*.py")) + sorted(
        (ROOT / "benchmarks").glob("*.py")
    )
    unknown = []
    for path in sources:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for word, then in re.findall(r"\./course ([A-Za-z][\w-]*)(?: ([a-z][\w-]*))?", line):
                if word not in known:
                    unknown.append(f"{path.relative_to(ROOT)}:{number}: ./course {word}")
                elif word in NESTED and then and then not in NESTED[word] and then != "--help":
                    unknown.append(f"{path.relative_to(ROOT)}:{number}: ./course {word} {then}")
    assert not unknown, "\n".join(unknown)
