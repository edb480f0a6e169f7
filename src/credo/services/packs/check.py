"""Checking a pack file (`credo pack check`): every problem with its file, line and key, and
what would be right, so an author can fix them all in one pass.

A problem is an error or a warning. Errors keep a pack from being adopted; warnings say it does
less than it seems to, and a pack with only warnings is adopted. A strict check (`--strict`)
counts warnings as errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from credo.domain.errors import PackInvalid
from credo.domain.rules.conditions import Path as KeyPath
from credo.domain.rules.conditions import Problem, Severity
from credo.domain.rules.pack_rules import check_pack
from credo.domain.rules.packs import Pack
from credo.domain.rules.refusals import lines_crossed
from credo.services.packs.shape import shape_problems
from credo.services.packs.yaml_source import ParsedYaml, parse_yaml, quick_plain

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class PackProblem:
    file: str
    line: int | None  # 1-based
    key: str  # where in the pack, e.g. `rules[2].points`; empty for the whole file
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        if self.severity == "warning":
            where += ": warning"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


def check_pack_text(
    text: str, file: str, *, strict: bool = False
) -> tuple[Pack | None, list[PackProblem]]:
    """The pack `text` holds, or None, and its problems in file order. A pack comes back when
    no problem is an error; `strict` makes every warning one."""
    pack, problems = _check(text, file)
    if strict:
        problems = [replace(p, severity="error") for p in problems]
    return (None if errors(problems) else pack), problems


def check_stored_text(text: str, file: str) -> tuple[Pack | None, list[PackProblem]]:
    """`check_pack_text` for a pack adopted before, which every command reads again: its YAML
    read quickly (`quick_plain`), and only if anything is wrong read again with its lines to
    say where."""
    data = quick_plain(text)
    if isinstance(data, dict):
        pack, problems = _judge(data)
        if not problems:
            return pack, []
    return check_pack_text(text, file)


def errors(problems: list[PackProblem]) -> list[PackProblem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[PackProblem]) -> list[PackProblem]:
    return [p for p in problems if p.severity == "warning"]


def _check(text: str, file: str) -> tuple[Pack | None, list[PackProblem]]:
    parsed, yaml_problems = parse_yaml(text)
    if parsed is None:
        return None, [PackProblem(file, p.line, dotted(p.path), p.message) for p in yaml_problems]
    if parsed.data is None:
        return None, [PackProblem(file, 1, "", "the file is empty; a pack starts with `pack:`")]
    pack, problems = _judge(parsed.data)
    return pack, _located(problems, parsed, file)


def _judge(data: object) -> tuple[Pack | None, list[Problem]]:
    crossed = lines_crossed(data) if isinstance(data, dict) else []
    refused_at = {p.path for p in crossed}
    pack, shape = shape_problems(data)
    # A covert key or a foreign domain is refused; calling it also unknown would only confuse.
    problems = crossed + [p for p in shape if p.path not in refused_at]
    if pack is not None:
        problems += check_pack(pack)
    return pack, problems


def check_pack_file(path: Path, *, strict: bool = False) -> tuple[Pack | None, list[PackProblem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        return None, [PackProblem(str(path), None, "", f"cannot be read: {reason}")]
    return check_pack_text(text, str(path), strict=strict)


def load_pack(path: Path) -> Pack:
    """The pack in `path`; `PackInvalid` lists every error, one a line, if it has any.
    Warnings do not keep a pack from loading."""
    pack, problems = check_pack_file(path)
    if pack is None:
        raise PackInvalid("\n".join(str(p) for p in errors(problems)))
    return pack


def dotted(path: KeyPath) -> str:
    """`("rules", 2, "points")` as `rules[2].points`; names with dots are quoted."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _PLAIN_KEY.match(step):
            out += f".{step}" if out else step
        else:
            out += f'["{step}"]'
    return out


def _located(problems: list[Problem], parsed: ParsedYaml, file: str) -> list[PackProblem]:
    unique = list(dict.fromkeys(problems))
    located = [
        PackProblem(file, parsed.line_of(p.path), dotted(p.path), p.message, p.severity)
        for p in unique
    ]
    return sorted(located, key=lambda p: p.line or 0)
