"""Validation reports: what is wrong with an input, where, and what to do.

Loaders never raise bare exceptions at a user. They collect :class:`Problem`
rows (file, row, field, message, fix hint) into a :class:`Report`; errors
refuse the load (:class:`LoadError` carries the report), warnings do not.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    message: str
    file: str = ""
    row: str = ""
    field: str = ""
    hint: str = ""
    code: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row != "":
            where += f", row {self.row}"
        if self.field:
            where += f", field '{self.field}'"
        text = f"{self.severity}: {where}: {self.message}" if where else f"{self.severity}: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text


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

    def to_records(self) -> list[dict[str, str]]:
        return [asdict(p) for p in self.problems]

    def to_json(self) -> str:
        return json.dumps({"ok": self.ok, "problems": self.to_records(), "stats": self.stats}, indent=2)

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
