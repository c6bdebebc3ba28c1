"""Actors: display names, colours and label aliases.

Conflict data names the same actor in many ways (DeepStateMap went from
Ukrainian-only labels to "UA /// EN" with stray NBSP and newlines), so labels
go through :class:`AliasTable` rather than string equality.
"""

from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from territory.style import DISTINCT_DELTA_E, delta_e, seen_fill

#: Colour-blind-safe palette (Okabe & Ito 2008, then Paul Tol's "muted").
PALETTE: tuple[str, ...] = (
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#0072B2",  # blue
    "#CC79A7",  # reddish purple
    "#F0E442",  # yellow
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
)

_SEPARATORS = re.compile(r"\s*(?:///|//|\|)\s*")
_SPACE = re.compile(r"\s+")


def normalise_label(label: object) -> str:
    """Fold a label for matching: NFKC, NBSP/newlines to spaces, trimmed, casefolded."""
    text = unicodedata.normalize("NFKC", str(label))
    text = _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()
    return text.casefold()


#: Letters of other scripts drawn like Latin ones (the common Cyrillic and Greek rows of Unicode's
#: confusables table), after casefolding: "Islamіc" with a Cyrillic і reads as "Islamic".
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "г": "r", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ь": "b", "ԁ": "d", "ԛ": "q",
    "ԝ": "w", "ӏ": "l", "һ": "h", "ү": "y", "ɡ": "g", "ı": "i",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "v", "ο": "o",
    "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "γ": "y",
})
#: Invisible characters that reorder or hide text: bidirectional controls, zero-width space, BOM.
HIDDEN = frozenset("\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff")


def skeleton(label: object) -> str:
    """What a label looks like, for spotting look-alike names: NFKC and case folded, accents, spacing,
    punctuation and invisible characters dropped, Cyrillic/Greek look-alikes read as Latin letters."""
    text = unicodedata.normalize("NFKD", normalise_label(label))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LOOKALIKES)
    return "".join(ch for ch in text if ch.isalnum())


def hidden_characters(label: object) -> list[str]:
    """The invisible controls in ``label``, named: ``['RIGHT-TO-LEFT OVERRIDE (U+202E)']``."""
    return [f"{unicodedata.name(ch, 'control')} (U+{ord(ch):04X})" for ch in dict.fromkeys(str(label))
            if ch in HIDDEN]


def foreign_letters(label: object) -> list[str]:
    """Letters of ``label`` that :func:`skeleton` reads as other letters (look-alikes, full-width forms), named."""
    return [f"{ch} {unicodedata.name(ch, '?')} (U+{ord(ch):04X})" for ch in dict.fromkeys(str(label))
            if ch.casefold().translate(_LOOKALIKES) != ch.casefold()
            or (ch.isalnum() and unicodedata.normalize("NFKC", ch) != ch)]


@dataclass
class AliasTable:
    """Map raw labels to canonical names.

    A label matches if its folded form, or any of its parts split on ``///``,
    ``//`` or ``|`` (multi-language labels), is a known alias.
    """

    aliases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, str]) -> AliasTable:
        table = cls()
        for alias, name in mapping.items():
            table.add(name, alias)
        return table

    @classmethod
    def from_csv(cls, path: str | Path) -> AliasTable:
        """Read ``alias,name`` rows (a header row is expected)."""
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        if rows and not {"alias", "name"} <= set(rows[0]):
            raise ValueError(f"{path}: alias table needs columns 'alias' and 'name'")
        return cls.from_mapping({r["alias"]: r["name"] for r in rows})

    def add(self, name: str, *aliases: str) -> None:
        for label in (name, *aliases):
            self.aliases[normalise_label(label)] = name

    def resolve(self, label: object) -> str | None:
        """Canonical name for ``label``, or None if unknown."""
        if label is None:
            return None
        key = normalise_label(label)
        if key in self.aliases:
            return self.aliases[key]
        for part in _SEPARATORS.split(key):
            if part in self.aliases:
                return self.aliases[part]
        return None

    def clean(self, label: object) -> str:
        """Canonical name if known, else the label with whitespace tidied."""
        found = self.resolve(label)
        if found is not None:
            return found
        return _SPACE.sub(" ", unicodedata.normalize("NFKC", str(label)).replace("\u00a0", " ")).strip()


STATUS_ALIASES = AliasTable.from_mapping(
    {
        "controlled": "controlled",
        "control": "controlled",
        "held": "controlled",
        "occupied": "controlled",
        "окуповано": "controlled",
        "окуповані": "controlled",
        "оккупировано": "controlled",
        "contested": "contested",
        "disputed": "contested",
        "grey zone": "contested",
        "gray zone": "contested",
        "unknown": "contested",
        "unknown status": "contested",
        "невідомо": "contested",
        "claimed": "claimed",
        "claim": "claimed",
    }
)


def assign_colors(names: Iterable[str], given: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour per actor, stable for the actor's name, and told apart from the others on the map.

    Each name hashes to a preferred palette slot; a slot already taken, or whose
    fill as the map shows it is within ΔE*76 25 of a colour in use (sky blue beside
    blue), passes to the next, in name order, so adding an unrelated actor rarely
    recolours others. Only when no distinct colour is left does a near one serve.
    """
    given = dict(given or {})
    colors: dict[str, str] = {}
    used = list(dict.fromkeys(given.values()))
    for name in sorted(set(names)):
        if name in given:
            colors[name] = given[name]
            continue
        start = int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % len(PALETTE)
        order = [PALETTE[(start + step) % len(PALETTE)] for step in range(len(PALETTE))]
        free = [c for c in order if c not in used] or order
        seen = [seen_fill(u) for u in used if _is_hex(u)]
        distinct = [c for c in free if all(delta_e(seen_fill(c), s) >= DISTINCT_DELTA_E for s in seen)]
        colors[name] = (distinct or free)[0]
        used.append(colors[name])
    return colors


def _is_hex(color: str) -> bool:
    return bool(re.fullmatch(r"#[0-9A-Fa-f]{6}|#[0-9A-Fa-f]{3}", color.strip()))


@dataclass(frozen=True)
class Actor:
    name: str
    color: str
    aliases: tuple[str, ...] = ()


def read_actors(path: str | Path) -> list[Actor]:
    """Read an actors table: ``name,color,aliases`` (aliases ``;``-separated)."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
        out.append(Actor(row["name"].strip(), (row.get("color") or "").strip(), aliases))
    return out
