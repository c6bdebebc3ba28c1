"""Validation reports: what is wrong with an input, where, and what to do.

Loaders never raise bare exceptions at a user. They collect :class:`Problem`
rows (file, row, field, message, fix hint) into a :class:`Report`; errors
refuse the load (:class:`LoadError` carries the report), warnings do not.

A hint that points to a load option marks it with :func:`opt` (``opt("actor")``,
``opt("column", "date")``) instead of spelling a command-line flag: the same
report is read in a terminal and on the Data page, and each shell words the
option its own way (``--actor NAME`` there, the "Actor" field here) with
:meth:`Report.worded`. Unworded, a marker reads as a neutral phrase.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

Severity = Literal["error", "warning"]

#: Load options a hint can point to (the keys of :class:`territory.io.LoadOptions`' shell inputs).
OPTION_KEYS = ("actor", "status", "file_date", "date_format", "column", "aliases")
_MARK = re.compile(r"\{opt:(" + "|".join(OPTION_KEYS) + r")(?:=([^{}]*))?\}")

#: How a hint names an option when no shell worded it.
NEUTRAL_WORDING: dict[str, str] = {
    "actor": "the actor option", "status": "the status option", "file_date": "the file date option",
    "date_format": "the date format option", "column": "a column mapping {column}=NAME",
    "aliases": "an alias table",
}

#: A shell's words for each option key; ``{column}`` in the "column" entry is the canonical column.
Wording = Mapping[str, str]


def opt(key: str, column: str = "") -> str:
    """A marker for load option ``key`` in a hint, worded later by the shell that shows the report."""
    if key not in OPTION_KEYS:
        raise ValueError(f"unknown option key {key!r}")
    return "{opt:" + key + (f"={column}" if column else "") + "}"


def word_hint(hint: str, wording: Wording) -> str:
    """``hint`` with every option marker replaced by ``wording`` (falling back to the neutral words)."""
    def sub(m: re.Match) -> str:
        key, column = m.group(1), m.group(2) or "COLUMN"
        words = wording.get(key) or NEUTRAL_WORDING[key]
        return words.replace("{column}", column)

    return _MARK.sub(sub, hint)


#: A problem repeated identically in this many files or more is printed once (see :meth:`Report.summarised`),
#: naming this many of them.
SUMMARISE_MIN_FILES = 3
SUMMARY_NAMED_FILES = 3


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    file: str = ""
    row: str = ""
    field: str = ""
    hint: str = ""
    code: str = ""

    def worded(self, wording: Wording) -> Problem:
        """This problem with its hint's option markers in a shell's words."""
        return replace(self, hint=word_hint(self.hint, wording)) if "{opt:" in self.hint else self

    def __str__(self) -> str:
        where = self.file
        if self.row != "":
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        text = f"{self.severity}: {where}: {self.message}" if where else f"{self.severity}: {self.message}"
        hint = word_hint(self.hint, NEUTRAL_WORDING)
        return f"{text} — {hint}" if hint else text


@dataclass
class Report:
    """An ordered list of problems plus counters worth telling the user."""

    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=dict)

    def error(self, message: str, **where: str) -> None:
        self.problems.append(Problem("error", message, **where))

    def warning(self, message: str, **where: str) -> None:
        self.problems.append(Problem("warning", message, **where))

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def extend(self, other: Report) -> None:
        self.problems.extend(other.problems)
        for k, v in other.stats.items():
            self.count(k, v)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def worded(self, wording: Wording) -> Report:
        """A copy whose hints name options in a shell's words (see :func:`opt`)."""
        return Report([p.worded(wording) for p in self.problems], dict(self.stats))

    def to_records(self) -> list[dict[str, str]]:
        return [asdict(p.worded(NEUTRAL_WORDING)) for p in self.problems]

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, "problems": self.to_records(), "stats": self.stats}, indent=2)

    def summarised(self, min_files: int = SUMMARISE_MIN_FILES, named: int = SUMMARY_NAMED_FILES) -> Report:
        """A copy where one problem repeated in many files is one line: "all 769 files (a, b, c, …)".

        A folder without an actor column otherwise prints the same error once per file. Problems
        are grouped by everything but the file; a group of ``min_files`` or more files becomes one
        problem naming the first ``named`` files ("all N files" when ``stats["files"]`` says the
        folder holds N). Order is kept (each group where its first file was); counts are not changed.
        """
        groups: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            if p.file:
                groups.setdefault((p.severity, p.message, p.row, p.field, p.hint, p.code), []).append(p)
        total = self.stats.get("files")
        out: list[Problem] = []
        for p in self.problems:
            key = (p.severity, p.message, p.row, p.field, p.hint, p.code)
            same = groups.get(key, []) if p.file else []
            files = list(dict.fromkeys(q.file for q in same))
            if len(files) < min_files:
                out.append(p)
                continue
            if same[0] is not p:
                continue  # folded into the group's first problem
            shown = ", ".join(files[:named]) + (", …" if len(files) > named else "")
            what = f"all {len(files):,} files" if total == len(files) else f"{len(files):,} files"
            out.append(replace(p, file=f"{what} ({shown})"))
        return Report(out, dict(self.stats))

    def summary(self) -> str:
        n_e, n_w = len(self.errors), len(self.warnings)
        return f"{n_e} error{'s' * (n_e != 1)}, {n_w} warning{'s' * (n_w != 1)}"

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        return "\n".join([*lines, self.summary()])


class LoadError(Exception):
    """An input was refused; ``report`` says why, where, and what to do."""

    def __init__(self, report: Report):
        self.report = report
        first = report.errors[0] if report.errors else None
        super().__init__(str(first) if first else "input refused")
