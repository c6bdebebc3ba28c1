"""Options shared by every loader: column mapping, default actor, aliases, limits."""

from __future__ import annotations

from dataclasses import dataclass, field

from territory.actors import AliasTable

MiB = 1024 * 1024


def human_bytes(n: int) -> str:
    """A byte count for messages: 512 bytes, 1.0 KiB, 3.2 MiB, 1.0 GiB."""
    if n < 1024:
        return f"{n} bytes"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            return f"{n:,.1f} {unit}"
    raise AssertionError("unreachable")


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
    ) -> LoadOptions:
        """Build options from CLI-style values (``--column date=Datum``)."""
        mapping: dict[str, str] = {}
        for item in column or []:
            if "=" not in item:
                raise ValueError(f"--column expects CANONICAL=NAME, got {item!r}")
            key, _, value = item.partition("=")
            mapping[key.strip()] = value.strip()
        try:
            table = AliasTable.from_csv(aliases) if aliases else AliasTable()
        except OSError as exc:
            raise ValueError(f"--aliases: cannot read {aliases} ({exc.strerror or exc})") from None
        except (KeyError, UnicodeDecodeError) as exc:
            raise ValueError(f"--aliases: {aliases} is not an alias,name CSV ({exc})") from None
        return cls(actor=actor, status=status or "controlled", date=date, columns=mapping, aliases=table)
