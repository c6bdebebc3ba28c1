"""Dataset manifests (``dataset.json``): configuration, so only ever read from a trusted path.

A manifest is read only from a path the CLI or server was started on (never
from an upload: see ``load_dataset(allow_manifest=False)``). Even then every
path it names must stay inside the manifest's own folder, or inside the
bundled data folder that ships with Territory (the bundled dataset shares the
Natural Earth layers beside it): no absolute paths, no way out through ``..``
or a symlink. Every file it names must be a regular file under a size cap
(``/dev/zero``, FIFOs and devices are refused), and every value must have the
type the key needs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from territory.report import LoadError, Report
from territory.resources import GEODATA_DIR
from territory.safefile import MiB, check_file, read_bytes

NAME = "dataset.json"
#: The bundled data: top-level ``geodata/`` in a checkout, inside the package once installed.
BUNDLED_DATA = GEODATA_DIR
MAX_MANIFEST_BYTES = 1 * MiB
#: Side files (claims, actors, settlements, layers): generous, but bounded.
MAX_SIDE_FILE_BYTES = 256 * MiB
PATH_KEYS = ("history", "claims", "actors", "settlements", "regions", "countries", "basemap", "reference_areas")
TEXT_KEYS = ("title", "label", "attribution", "focus_actor", "region", "regions_source",
             "region_name_column", "date", "population_source")
MAX_TEXT = 2000
HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def data_root() -> Path:
    """Folder of the bundled data (``$TERRITORY_DATA`` overrides)."""
    return Path(os.environ.get("TERRITORY_DATA", BUNDLED_DATA))


def find(root: Path) -> Path | None:
    """The manifest of ``root`` (a folder holding dataset.json, or dataset.json itself), or None."""
    if root.is_dir():
        candidate = root / NAME
        return candidate if candidate.exists() or candidate.is_symlink() else None
    return root if root.name == NAME else None


@dataclass
class Manifest:
    """A checked manifest: its values and the confined paths of the files it names."""

    path: Path
    meta: dict
    files: dict[str, Path] = field(default_factory=dict)

    def text(self, key: str, default: str = "") -> str:
        value = self.meta.get(key)
        return value if isinstance(value, str) else default


def _refuse(report: Report) -> LoadError:
    return LoadError(report)


def _confine(base: Path, value: object, key: str, name: str, roots: list[Path], report: Report) -> Path | None:
    """``base / value`` if it stays inside one of ``roots`` (symlinks resolved); else report and None."""
    hint = "name a file inside the dataset's folder with a relative path, e.g. \"history.geojson\""
    if not isinstance(value, str) or not value.strip():
        report.error(f"'{key}' must be a relative file path (text), got {type(value).__name__}",
                     file=name, field=key, code="manifest-path", hint=hint)
        return None
    pure = PurePath(value.replace("\\", "/"))
    if pure.is_absolute() or value.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:", value) \
            or "://" in value or "\0" in value:
        report.error(f"'{key}' is an absolute path or URL ({value[:120]!r}); a manifest may only name files "
                     "inside its own folder", file=name, field=key, code="manifest-path", hint=hint)
        return None
    resolved = (base / pure).resolve()
    if not any(resolved == r or resolved.is_relative_to(r) for r in roots):
        report.error(f"'{key}' points outside the dataset's folder ({value[:120]!r}, through '..' or a symlink)",
                     file=name, field=key, code="manifest-path", hint=hint)
        return None
    return resolved


def read(path: Path) -> Manifest:
    """Read and check the manifest at ``path``; raise LoadError (with a report) if refused."""
    report = Report()
    name = path.name
    if not check_file(path, name, report, MAX_MANIFEST_BYTES, what="dataset manifest"):
        raise _refuse(report)
    try:
        meta = json.loads(read_bytes(path, MAX_MANIFEST_BYTES).decode("utf-8-sig"),
                          parse_constant=lambda c: (_ for _ in ()).throw(ValueError(f"{c} is not JSON")))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        report.error(f"dataset manifest is not valid JSON ({str(exc)[:160]})", file=name, code="bad-manifest",
                     hint="fix the JSON of dataset.json")
        raise _refuse(report) from None
    if not isinstance(meta, dict):
        report.error(f"dataset manifest must be a JSON object, not {type(meta).__name__}", file=name,
                     code="bad-manifest", hint='write it as {"history": "history.geojson", ...}')
        raise _refuse(report)
    base = path.parent.resolve()
    roots = [base]
    with contextlib.suppress(OSError):
        roots.append(data_root().resolve())
    out = Manifest(path, meta)
    for key in PATH_KEYS:
        if meta.get(key) in (None, ""):
            continue
        resolved = _confine(base, meta[key], key, name, roots, report)
        if resolved is not None:
            out.files[key] = resolved
    for key in TEXT_KEYS:
        value = meta.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > MAX_TEXT):
            report.error(f"'{key}' must be text of at most {MAX_TEXT} characters", file=name, field=key,
                         code="bad-manifest", hint=f'e.g. "{key}": "..."')
    if "illustrative" in meta and not isinstance(meta["illustrative"], bool):
        report.error("'illustrative' must be true or false", file=name, field="illustrative", code="bad-manifest",
                     hint='write "illustrative": true')
    if "history" not in out.files and report.ok:
        report.error("dataset.json names no 'history' file", file=name, field="history", code="bad-manifest",
                     hint='add "history": "history.geojson"')
    if not report.ok:
        raise _refuse(report)
    return out


def side_file(manifest: Manifest, key: str, report: Report) -> Path | None:
    """The checked path of an optional side file (claims, actors, layers...), or None if absent.

    A side file that is named but missing is skipped (older datasets); one that
    is not a regular file or is over the cap is an error.
    """
    p = manifest.files.get(key)
    if p is None or not (p.exists() or p.is_symlink()):
        return None
    if not check_file(p, f"{manifest.path.name}: {key}", report, MAX_SIDE_FILE_BYTES, what=f"'{key}' file"):
        return None
    return p


def valid_color(value: object) -> str | None:
    """``value`` if it is a strict ``#RRGGBB`` colour, else None (never raw text into HTML)."""
    if isinstance(value, str) and HEX_COLOR.match(value.strip()):
        return value.strip()
    return None
