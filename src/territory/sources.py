"""Open a dataset wherever it lives: a dataset folder or manifest, a bare history, or a PostGIS store.

The one place that tells a ``postgresql://`` URL from a path. :mod:`territory.datasets` reads
files and folders only and :mod:`territory.store.postgis` reads and writes a database (its
import reads folders through :mod:`territory.datasets`), so neither has to know the other
from below: the CLI and the dashboard open what they were given through :func:`open_dataset`.
"""

from __future__ import annotations

from pathlib import Path

from territory.datasets import Dataset, load_dataset, read_claims_file
from territory.io import LoadOptions
from territory.store import is_db_url


def open_dataset(
    path: str | Path | None = None,
    options: LoadOptions | None = None,
    claims: str | Path | None = None,
    display_name: str | None = None,
) -> Dataset:
    """The dataset at ``path`` (None: the bundled history); raise LoadError or StoreError if refused.

    For a store, ``claims`` (a ledger given on the command line) replaces the stored one;
    ``options`` only apply to files (the store holds rows already read).
    """
    if is_db_url(path):
        from territory.store.postgis import load  # SQLAlchemy only when a database is named

        ds = load(str(path))
        if claims is not None:
            ds.claims = read_claims_file(Path(claims), ds.report)
        return ds
    return load_dataset(path, options, claims=claims, display_name=display_name)
