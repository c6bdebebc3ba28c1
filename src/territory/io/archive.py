"""Safe extraction of zip archives (zipped shapefiles, KMZ).

Refuses members whose paths escape the extraction folder (zip-slip), two members with one
name (one would replace the other), archives
that would expand past a size limit (zip bombs), and archives with too many
members, before writing a byte; then counts the bytes actually written, in case
the headers lie.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from territory.io.options import human_bytes
from territory.report import Report

BOMB_HINT = "the archive may be a zip bomb; if it is genuine, unpack it and load the geodata file itself"


def safe_members(zf: zipfile.ZipFile, name: str, report: Report, *, max_bytes: int,
                 max_members: int) -> list[zipfile.ZipInfo] | None:
    """Members safe to extract, or None after reporting why the archive is refused."""
    infos = zf.infolist()
    if len(infos) > max_members:
        report.error(
            f"archive has {len(infos):,} members, more than the limit of {max_members:,}",
            file=name, code="zip-too-many", hint="unpack it and load the geodata file itself",
        )
        return None
    total = 0
    seen: dict[str, str] = {}
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        key = path.as_posix().casefold()
        if key in seen:  # extracting both would keep only the last one's bytes
            same = "the same name" if seen[key] == info.filename else f"the same name as '{seen[key]}'"
            report.error(f"archive holds two members named '{info.filename}' ({same}): one would silently "
                         "replace the other", file=name, code="zip-duplicate",
                         hint="re-create the zip so that each file is in it once")
            return None
        seen[key] = info.filename
        if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            report.error(
                f"archive member '{info.filename}' has a path that escapes the extraction folder",
                file=name, code="zip-slip", hint="re-create the zip with relative paths inside it",
            )
            return None
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            report.error(f"archive member '{info.filename}' is a symbolic link: links inside archives are refused "
                         "(they could point at files outside it)", file=name, code="zip-symlink",
                         hint="re-create the zip from the files themselves, not links to them")
            return None
        if info.flag_bits & 0x1:
            report.error(f"archive member '{info.filename}' is encrypted", file=name, code="zip-encrypted",
                         hint="re-create the zip without a password")
            return None
        total += info.file_size
    if total > max_bytes:
        report.error(
            f"archive expands to {human_bytes(total)}, more than the limit of {human_bytes(max_bytes)}",
            file=name, code="zip-too-large", hint=BOMB_HINT,
        )
        return None
    return infos


def extract(path: Path, dest: Path, report: Report, *, max_bytes: int, max_members: int,
            name: str | None = None) -> list[Path] | None:
    """Extract ``path`` into ``dest``; None (with the report filled) if refused."""
    name = name or path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = safe_members(zf, name, report, max_bytes=max_bytes, max_members=max_members)
            if infos is None:
                return None
            written = 0
            out: list[Path] = []
            for info in infos:
                if info.is_dir():
                    continue
                target = dest / PurePosixPath(info.filename.replace("\\", "/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as dst:
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:  # the header may lie about sizes
                            report.error(
                                f"archive expands past the limit of {human_bytes(max_bytes)}",
                                file=name, code="zip-too-large", hint=BOMB_HINT,
                            )
                            return None
                        dst.write(chunk)
                out.append(target)
            return out
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
            RuntimeError) as exc:
        text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        report.error(
            f"not a readable zip archive ({text})", file=name, code="zip-corrupt",
            hint="the file may be truncated or corrupt (or use an unsupported compression): "
                 "download or export it again",
        )
        return None
