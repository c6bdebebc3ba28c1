"""Where the files that ship beside the code live.

A checkout keeps ``pages/`` and ``geodata/`` at the top of the repository (the
design card's layout); a built wheel maps them into the package
(``territory/app/pages``, ``territory/geodata``) so that ``territory serve`` runs
from any folder. One copy of each file either way: this module only finds it.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The repository's top level when running from a checkout (``src/territory`` -> ``.``).
CHECKOUT_ROOT = PACKAGE_DIR.parents[1]


def shipped_dir(in_package: str, in_checkout: str, marker: str) -> Path:
    """The installed copy (``PACKAGE_DIR/in_package``) if it holds ``marker``, else the checkout's.

    The marker, not the folder, decides: a checkout that once had the folder inside
    the package may keep an empty one (``__pycache__`` left behind).
    """
    installed = PACKAGE_DIR / in_package
    return installed if (installed / marker).is_file() else CHECKOUT_ROOT / in_checkout


#: The bundled data sets, each with a README of provenance and licence.
GEODATA_DIR = shipped_dir("geodata", "geodata", "reference_areas.csv")
#: One Streamlit script per dashboard page.
PAGES_DIR = shipped_dir("app/pages", "pages", "map.py")
