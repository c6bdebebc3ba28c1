"""Data: upload your own control history (any format the loaders read) and claims; see the validation report."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.datasets import load_dataset
from territory.io.options import LoadOptions
from territory.report import LoadError
from territory.ui import shell
from territory.validate import check_history

shell.configure_page("Data")
st.title("Data")

CHOICES = ["Bundled data", "My uploaded data"]
has_upload = isinstance(st.session_state.get("uploaded"), Analysis)
if "source_choice" not in st.session_state or st.session_state.pop("_sync_choice", False):
    st.session_state["source_choice"] = CHOICES[st.session_state.get("source") == shell.UPLOADED and has_upload]


def _forget_view() -> None:
    for k in ("date", "_date", "actors", "_actors"):
        st.session_state.pop(k, None)


def _on_choice() -> None:
    st.session_state["source"] = shell.UPLOADED if st.session_state["source_choice"] == CHOICES[1] else shell.BUNDLED
    _forget_view()


st.radio("Show", CHOICES, horizontal=True, key="source_choice", disabled=not has_upload, on_change=_on_choice,
         help="Uploaded data lives in this browser session only; nobody else can see it.")
an = shell.analysis()
shell.sync_url("data")

ds = an.dataset
st.markdown(f"**Now showing:** {ds.title} — {len(ds.history):,} rows, {len(an.dates)} dates, "
            f"{len(ds.actors)} actors ({', '.join(ds.actors)}).")
if ds.illustrative:
    st.warning(f"**Illustrative reconstruction.** {ds.label}")
if ds.attribution:
    st.caption(ds.attribution)

st.subheader("Load your own history")
st.markdown(
    "GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ (e.g. from Google My Maps), GeoParquet, CSV with a WKT "
    "column — or several dated snapshot files at once (dates from names like `2022-03-01.geojson`). "
    "Columns: `date`, `actor`, `status` (controlled / contested / claimed), optional `valid_to`, `source`, "
    "`source_url`, `note`."
)
with st.form("upload"):
    # A fresh key after each successful load empties the uploaders, so the next upload never
    # silently merges with the previous file.
    n = st.session_state.get("upload_round", 0)
    files = st.file_uploader("History file(s)", accept_multiple_files=True, key=f"upload_files_{n}")
    claims = st.file_uploader("Claims ledger (CSV, optional)", type=["csv"], key=f"upload_claims_{n}")
    c1, c2, c3 = st.columns(3)
    actor = c1.text_input("Actor for files without an actor column", key="upload_actor")
    date_col = c2.text_input("Date column name (if not 'date')", key="upload_date_col")
    actor_col = c3.text_input("Actor column name (if not 'actor')", key="upload_actor_col")
    submitted = st.form_submit_button("Load and validate")

if submitted:
    if not files:
        st.error("Choose at least one file.")
    else:
        columns = {k: v for k, v in (("date", date_col.strip()), ("actor", actor_col.strip())) if v}
        options = LoadOptions(actor=actor.strip() or None, columns=columns)
        tmp = Path(tempfile.mkdtemp(prefix="territory-upload-"))
        folder = tmp / "history"
        folder.mkdir()
        for f in files:
            (folder / Path(f.name).name).write_bytes(f.getvalue())
        target = folder if len(files) > 1 else folder / Path(files[0].name).name
        claims_path = None
        if claims is not None:
            claims_path = tmp / Path(claims.name).name
            claims_path.write_bytes(claims.getvalue())
        name = files[0].name if len(files) == 1 else f"{len(files)} snapshot files"
        try:
            new_ds = load_dataset(target, options, claims=claims_path, display_name=name)
            check_history(new_ds.history, new_ds.report, name=name)  # overlaps, duplicates, look-alike names
            new = Analysis.from_paths(new_ds, extra={"upload": True, "actor": options.actor, "columns": columns})
        except LoadError as exc:
            st.session_state["upload_report"] = exc.report.to_records()
            st.error(f"Refused: {exc.report.summary()}. Your previous data is still loaded and unchanged.")
        except Exception as exc:  # never a traceback in the UI (the loaders report; this is a last resort)
            st.session_state["upload_report"] = [{"severity": "error", "file": name, "row": "", "field": "",
                                                  "message": f"unexpected problem: {type(exc).__name__}: {exc}",
                                                  "hint": "please report this file to the maintainers", "code": "internal"}]
            st.error("Refused: the file could not be read. Your previous data is still loaded and unchanged.")
        else:
            st.session_state["uploaded"] = new
            st.session_state["upload_report"] = new_ds.report.to_records()
            st.session_state["source"] = shell.UPLOADED
            st.session_state["_sync_choice"] = True
            st.session_state["upload_round"] = n + 1
            st.session_state["upload_message"] = (
                f"Loaded {name}: {len(new_ds.history):,} rows, {len(new.dates)} dates, {new_ds.report.summary()}. "
                "Now showing your data on every page.")
            _forget_view()
            st.rerun()
        finally:  # the data is in memory (and in the measurement cache): drop the copies
            shutil.rmtree(tmp, ignore_errors=True)

if msg := st.session_state.pop("upload_message", None):
    st.success(msg)

records = st.session_state.get("upload_report")
if records:
    st.subheader("Validation report")
    frame = pd.DataFrame(records)[["severity", "file", "row", "field", "message", "hint"]]
    st.dataframe(frame, hide_index=True, width="stretch")
shell.remember()
