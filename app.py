"""Thin entry for ``streamlit run app.py`` in a source checkout.

The dashboard lives in the package (``territory.app``) so that an installed
``territory serve`` runs it from any folder; this file only starts it.
"""

from territory.app.main import main

main()
