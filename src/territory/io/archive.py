"""Safe extraction of zip archives (zipped shapefiles, KMZ).

Refuses members whose paths escape the extraction folder (zip-slip), archives
that would expand past a size limit (zip bombs), and archives with too many
members, before writing a byte.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from territory.report import Report


def safe_members(zf: zipfile.ZipFile, name: str, report: Report, *, max_bytes: int, max_members: int) -> list[zipfile.ZipInfo] | None:
    """Members safe to extract, or None after reporting why the archive is refused."""
    infos = zf.infolist()
    if len(infos) > max_members:
        report.error(
            f"archive has {len(infos):,} members, more than the limit of {max_members:,}",
            file=name, code="zip-too-many", hint="unpack it and load the geodata file itself",
        )
        return None
    total = 0
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
            report.error(
                f"archive member '{info.filename}' has a path that escapes the extraction folder",
                file=name, code="zip-slip", hint="re-create the zip with relative paths inside it",
            )
            return None
        total += info.file_size
    if total > max_bytes:
        report.error(
            f"archive expands to {total / 2**20:,.0f} MiB, more than the limit of {max_bytes / 2**20:,.0f} MiB",
            file=name, code="zip-too-large", hint="load a smaller file, or raise the limit with care",
        )
        return None
    return infos


def extract(path: Path, dest: Path, report: Report, *, max_bytes: int, max_members: int) -> list[Path] | None:
    """Extract ``path`` into ``dest``; None (with the report filled) if refused."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = safe_members(zf, path.name, report, max_bytes=max_bytes, max_members=max_members)
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
                                f"archive expands past the limit of {max_bytes / 2**20:,.0f} MiB",
                                file=path.name, code="zip-too-large",
                                hint="load a smaller file, or raise the limit with care",
                            )
                            return None
                        dst.write(chunk)
                out.append(target)
            return out
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        report.error(
            f"not a readable zip archive ({exc})", file=path.name, code="zip-corrupt",
            hint="the file may be truncated or corrupt: download or export it again",
        )
        return None
