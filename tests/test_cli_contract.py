"""One command-line contract: every default is the library's, every option means one thing,
numbers are checked in one place, and no argparse object reaches the library."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from instructor.cli import build_parser, main
from instructor.competition.leaderboard import leaderboard
from instructor.grading.run import grade_all
from instructor.grading.verdicts import Limits
from instructor.notebooks import run_all

ROOT = Path(__file__).resolve().parents[1]


def parse(*words: str):
    return build_parser().parse_args(list(words))


def test_grade_defaults_are_the_libraries():
    args, limits = parse("grade", "folder"), Limits()
    assert (args.timeout, args.cell_timeout, args.max_output, args.memory_mb, args.max_procs) == (
        limits.timeout, limits.cell_timeout, limits.max_output, limits.memory_mb, limits.max_procs
    )  # fmt: skip
    assert args.jobs == inspect.signature(grade_all).parameters["jobs"].default


def test_leaderboard_defaults_are_the_libraries():
    args = parse("leaderboard", "folder")
    defaults = {k: p.default for k, p in inspect.signature(leaderboard).parameters.items()}
    for name in ("timeout", "max_params", "jobs", "memory_mb"):
        assert getattr(args, name) == defaults[name], name


@pytest.mark.parametrize("action", ["execute x.ipynb", "run-all"])
def test_notebook_runs_share_one_cell_timeout_and_one_smoke_full_switch(action):
    args = parse("notebooks", *action.split())
    assert (
        args.cell_timeout == inspect.signature(run_all.execute).parameters["cell_timeout"].default
    )
    assert (
        args.cell_timeout == inspect.signature(run_all.run_all).parameters["cell_timeout"].default
    )
    assert args.full is False  # smoke mode by default, as the library's own default
    assert inspect.signature(run_all.run_all).parameters["smoke"].default is True
    assert parse("notebooks", *action.split(), "--full").full is True


def _help(words: list[str]) -> dict[str, str]:
    """Option -> its help text, for one command."""
    parser = build_parser()
    for word in words:
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = sub.choices[word]
    return {s: a.help for a in parser._actions for s in a.option_strings}


COMMAND_LINES = [["students"], ["notebooks", "execute"], ["notebooks", "clean"],
                 ["notebooks", "run-all"], ["release"], ["grade"], ["gradebook", "merge"],
                 ["leaderboard"], ["tally"]]  # fmt: skip


def test_each_shared_option_means_one_thing_in_every_command():
    meanings = {
        "--timeout": "seconds for one whole ",
        "--cell-timeout": "seconds for one cell",
        "--full": "full mode (the default is smoke mode",
        "--jobs": "items at once",
        "--solutions": "folder of solution notebooks",
        "--unsandboxed": "run untrusted code without bubblewrap",
        "--memory-mb": "memory of ",
        "--out-dir": "folder ",
    }
    seen = {flag: 0 for flag in meanings}
    for words in COMMAND_LINES:
        for flag, text in _help(words).items():
            if flag in meanings:
                seen[flag] += 1
                assert text.startswith(meanings[flag]), (words, flag, text)
    assert all(seen.values()), seen  # each is used somewhere


@pytest.mark.parametrize(
    "argv, option",
    [
        (["grade", "x", "--timeout", "0"], "--timeout"),
        (["grade", "x", "--cell-timeout", "-1"], "--cell-timeout"),
        (["grade", "x", "--jobs", "0"], "--jobs"),
        (["grade", "x", "--memory-mb", "1.5"], "--memory-mb"),
        (["grade", "x", "--max-procs", "0"], "--max-procs"),
        (["leaderboard", "x", "--max-params", "0"], "--max-params"),
        (["leaderboard", "x", "--timeout", "nan"], "--timeout"),
        (["notebooks", "run-all", "--cell-timeout", "inf"], "--cell-timeout"),
    ],
)
def test_numbers_are_refused_in_one_line_naming_the_option(argv, option, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert f"argument {option}" in last and ("must be" in last or "not a" in last), last


def _option_names() -> set[str]:
    """Every ``dest`` of every command's options (``timeout``, ``unsandboxed``, ...)."""
    names = set()
    for words in COMMAND_LINES:
        parser = build_parser()
        for word in words:
            sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
            parser = sub.choices[word]
        names |= {a.dest for a in parser._actions if a.option_strings and a.dest != "help"}
    return names


def test_no_library_module_takes_an_argparse_namespace():
    """Outside ``instructor/cli/`` nothing imports argparse or reads an option off a namespace
    (``args.timeout``, ``getattr(args, "memory_mb", ...)``)."""
    options, offenders = _option_names(), []
    assert {"timeout", "unsandboxed", "memory_mb", "private_text"} <= options
    for path in sorted((ROOT / "instructor").rglob("*.py")):
        if path.parent.name == "cli":
            continue
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                offenders += [f"{where} imports argparse" for m in modules if m == "argparse"]
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "args" and node.attr in options:
                    offenders.append(f"{where}:{node.lineno}: args.{node.attr}")
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "getattr":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Name) and first.id == "args":
                    offenders.append(f"{where}:{node.lineno}: getattr(args, ...)")
    assert not offenders, offenders


@pytest.mark.parametrize(
    "function",
    [
        "instructor.grading.run:grade_all",
        "instructor.competition.leaderboard:leaderboard",
        "instructor.notebooks.run_all:run_all",
        "instructor.notebooks.run_all:execute",
        "instructor.notebooks.release:build_release",
    ],  # fmt: skip
)
def test_entry_points_take_their_settings_by_keyword_only(function):
    module, name = function.split(":")
    parameters = inspect.signature(getattr(__import__(module, fromlist=[name]), name)).parameters
    with_defaults = [p for p in parameters.values() if p.default is not inspect.Parameter.empty]
    assert with_defaults and all(p.kind is p.KEYWORD_ONLY for p in with_defaults), parameters


@pytest.mark.parametrize(
    "argv",
    [
        ["grade", "x", "--out", "grades.md"],  # the .md companion would overwrite it
        ["grade", "x", "--out", "grades.png"],
        ["gradebook", "merge", "a.csv", "--out", "class.json"],
        ["leaderboard", "x", "--out", "board.csv"],  # the page would be the CSV
        ["tally", "votes.csv", "--out", "board.md"],
    ],
)
def test_out_must_have_the_suffix_its_companions_are_named_from(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert "argument --out" in capsys.readouterr().err


def test_out_may_not_be_a_folder(tmp_path, capsys):
    folder = tmp_path / "gradebook.csv"
    folder.mkdir()
    with pytest.raises(SystemExit):
        main(["grade", "x", "--out", str(folder)])
    assert "must name a .csv file" in capsys.readouterr().err


def test_a_cell_timeout_under_a_second_is_a_limit_not_none(tmp_path, capsys):
    """nbclient takes whole seconds and 0 means no limit: 0.5 must not become 0."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    path = tmp_path / "slow.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("import time\ntime.sleep(5)")]), path)
    before = path.read_bytes()
    assert main(["notebooks", "execute", str(path), "--cell-timeout", "0.5"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"execute: {path} failed, left as it was:")
    assert path.read_bytes() == before


def test_a_command_never_writes_over_a_file_it_reads(tmp_path, capsys):
    """--out priv.html would write the board's Markdown over --private-text priv.md; a merge's
    --out over a shard's CSV."""
    private = tmp_path / "priv.md"
    private.write_text("ROMEO: the private text")
    argv = ["leaderboard", str(tmp_path), "--private-text", str(private)]
    with pytest.raises(SystemExit, match="priv.md would be overwritten"):
        main([*argv, "--out", str(tmp_path / "priv.html")])
    shard = tmp_path / "s1.csv"
    with pytest.raises(SystemExit, match="s1.csv would be overwritten"):
        main(["gradebook", "merge", str(shard), str(tmp_path / "s2.csv"), "--out", str(shard)])
    votes = tmp_path / "board.csv"
    votes.write_text("voter,ballot_id\n")
    with pytest.raises(SystemExit, match="board.csv would be overwritten"):
        main(["tally", str(votes), "--out", str(tmp_path / "board.html")])
    assert private.read_text() == "ROMEO: the private text"
