"""What the dashboard does with an upload, without Streamlit: the Data page calls these under the
server's one upload slot, and ``bench/bench_upload.py`` measures the same path's peak memory."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd

from territory import tempfiles
from territory.analysis import Analysis
from territory.datasets import Dataset, load_dataset, read_claims_file
from territory.io.options import LoadOptions
from territory.report import Report
from territory.validate import check_history


def read_upload(target: Path, options: LoadOptions, *, claims: Path | None, name: str,
                extra: object) -> tuple[Dataset, Analysis]:
    """Load, check (overlaps, duplicates, look-alike names) and measure an uploaded history.

    Raises :class:`~territory.report.LoadError` when it is refused. Nothing reaches the disk cache.
    """
    ds = load_dataset(target, options, claims=claims, display_name=name, allow_manifest=False)
    check_history(ds.history, ds.report, provenance=ds.provenance, name=name)  # rows as the CLI numbers them
    return ds, Analysis.from_paths(ds, extra=extra, persist=False)


def check_claims(name: str, data: bytes, analysis: Analysis) -> tuple[Analysis, pd.DataFrame, Report]:
    """A claims ledger alone, checked against ``analysis``: (the analysis with it, the ledger, its report).

    Raises :class:`~territory.report.LoadError` when the ledger is refused.
    """
    report = Report()
    tmp = tempfiles.make("claims")  # named so that a later process sweeps it if this one is killed
    try:
        path = tmp / Path(name).name
        path.write_bytes(data)
        ledger = read_claims_file(path, report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    new = analysis.with_claims(ledger, hashlib.sha256(data).hexdigest())
    new.claims()  # judged here, inside the caller's upload slot, not on the next page's run
    return new, ledger, report


def check_settlements(name: str, data: bytes, analysis: Analysis) -> Analysis:
    """``analysis`` with an uploaded settlement layer (CSV) in place of its own or the gazetteer.

    Raises :class:`~territory.report.LoadError` (file, row, field) when the layer is refused.
    """
    from territory.gazetteer import read_settlements

    tmp = tempfiles.make("settlements")  # named so that a later process sweeps it if this one is killed
    try:
        path = tmp / Path(name).name
        path.write_bytes(data)
        layer = read_settlements(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    new = analysis.with_settlements(layer, hashlib.sha256(data).hexdigest())
    new.settlements_at(new.dates[-1] if new.dates else "2000-01-01")  # placed here, inside the upload slot
    return new
