"""Options shared by every loader: column mapping, default actor, aliases, limits."""

from __future__ import annotations

from collections.abc import Callable
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
    #: Caps on one input (a file, or a folder of files, all together): see :data:`LIMITS`.
    max_input_bytes: int = 2048 * MiB
    max_features: int = 1_000_000
    max_parts: int = 2_000_000
    max_vertices: int = 50_000_000
    max_actors: int = 500
    max_kml_bytes: int = 256 * MiB
    #: ``progress(done, total)`` after each file of a folder (a CLI line, a page's bar); not an option.
    progress: Callable[[int, int], None] | None = field(default=None, repr=False, compare=False)
    #: Keep a loaded folder in the on-disk cache (off for dashboard uploads); not an option of the data.
    cache: bool = field(default=True, repr=False, compare=False)
    #: Read a big folder on worker processes even from a threaded process: the dashboard server's own
    #: dataset, read once for every session (never an upload: one session must not take every core).
    workers_when_threaded: bool = field(default=False, repr=False, compare=False)

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


#: What each cap bounds, for messages and the README's table.
LIMITS: dict[str, str] = {
    "max_file_bytes": "bytes in one file",
    "max_input_bytes": "bytes in all files of one input (a folder of snapshots)",
    "max_unzipped_bytes": "bytes a zip or KMZ expands to",
    "max_zip_members": "files inside one zip",
    "max_kml_bytes": "bytes of one KML document (after unzipping a KMZ)",
    "max_features": "features (rows) in one input",
    "max_parts": "polygon parts in one input",
    "max_vertices": "vertices in one input",
    "max_actors": "distinct actors in one input",
}

#: Tighter caps for a dashboard upload: one session's file must not starve the others.
UPLOAD_LIMITS: dict[str, int] = {
    "max_file_bytes": 200 * MiB,
    "max_input_bytes": 200 * MiB,
    "max_unzipped_bytes": 512 * MiB,
    "max_kml_bytes": 64 * MiB,
    "max_features": 200_000,
    "max_parts": 200_000,
    "max_vertices": 10_000_000,
    "max_actors": 200,
}
