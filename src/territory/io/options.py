"""Options shared by every loader: column mapping, default actor, aliases, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from territory.actors import AliasTable
from territory.report import Report
from territory.safefile import MiB, check_file, human_bytes

__all__ = ["LoadOptions", "MiB", "human_bytes"]

#: An alias table is a small CSV; anything bigger (or a device, a FIFO) is refused before reading.
MAX_ALIAS_BYTES = 16 * MiB


def check_alias_file(path: str | Path) -> None:
    """Raise ValueError unless ``path`` is a regular file under MAX_ALIAS_BYTES (never hangs on /dev/zero)."""
    report = Report()
    if not check_file(Path(path), str(path), report, MAX_ALIAS_BYTES, what="alias table"):
        raise ValueError(f"--aliases: {report.errors[0].message}")


@dataclass
class LoadOptions:
    """How to read a user's file into a control history.

    ``columns`` maps a canonical column (``date``, ``actor``, ``status``,
    ``valid_to``, ``source``, ``source_url``, ``note``) to the name it has in
    the file. ``actor`` names the actor when a file has no actor column;
    ``status`` is the status when a file has none. ``date`` is the date of
    every row of a file that has no date column (a snapshot file).
    """

    actor: str | None = None
    status: str = "controlled"
    date: str | None = None
    #: strptime format of text dates whose day/month order the file does not prove (``%d/%m/%Y``).
    date_format: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    aliases: AliasTable = field(default_factory=AliasTable)
    max_file_bytes: int = 512 * MiB
    max_unzipped_bytes: int = 1024 * MiB
    max_zip_members: int = 10_000

    @classmethod
    def from_cli(
        cls,
        actor: str | None = None,
        status: str | None = None,
        date: str | None = None,
        column: list[str] | None = None,
        aliases: str | None = None,
        date_format: str | None = None,
    ) -> LoadOptions:
        """Build options from CLI-style values (``--column date=Datum``)."""
        mapping: dict[str, str] = {}
        for item in column or []:
            if "=" not in item:
                raise ValueError(f"--column expects CANONICAL=NAME, got {item!r}")
            key, _, value = item.partition("=")
            mapping[key.strip()] = value.strip()
        if aliases:
            check_alias_file(aliases)
        try:
            table = AliasTable.from_csv(aliases) if aliases else AliasTable()
        except OSError as exc:
            raise ValueError(f"--aliases: cannot read {aliases} ({exc.strerror or exc})") from None
        except (KeyError, UnicodeDecodeError) as exc:
            raise ValueError(f"--aliases: {aliases} is not an alias,name CSV ({exc})") from None
        return cls(actor=actor, status=status or "controlled", date=date, columns=mapping, aliases=table,
                   date_format=date_format or None)
