"""Data: upload your own control history (any format the loaders read) and claims; see the validation report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pandas as pd
import streamlit as st

from territory import tempfiles
from territory.actors import AliasTable
from territory.analysis import Analysis
from territory.io.options import UPLOAD_LIMITS, LoadOptions
from territory.report import LoadError, Report
from territory.ui import shell
from territory.ui.aliases import alias_rows
from territory.ui.mapview import md_text
from territory.upload import check_claims, check_settlements, read_upload

shell.configure_page("Data")
st.title("Data")

CHOICES = ["Bundled data", "My uploaded data"]
has_upload = isinstance(st.session_state.get("uploaded"), Analysis)
if "source_choice" not in st.session_state or st.session_state.pop("_sync_choice", False):
    st.session_state["source_choice"] = CHOICES[st.session_state.get("source") == shell.UPLOADED and has_upload]


def _forget_view() -> None:
    """New data: the date, actors, focus, denominator and Compare's date of the old data no longer apply."""
    for k in ("date", "actors", "focus", "denominator", "compare_from"):
        st.session_state.pop(k, None)
        st.session_state.pop(f"_{k}", None)


def _on_choice() -> None:
    st.session_state["source"] = shell.UPLOADED if st.session_state["source_choice"] == CHOICES[1] else shell.BUNDLED
    _forget_view()


served = os.environ.get("TERRITORY_PATH")  # the server was started on a user's data, not the bundled history


def _choice_label(choice: str) -> str:
    return "The server's data" if choice == CHOICES[0] and served else choice


st.radio("Show", CHOICES, horizontal=True, key="source_choice", disabled=not has_upload, on_change=_on_choice,
         format_func=_choice_label,
         help="Uploaded data lives in this browser session only; nobody else can see it.")
an = shell.analysis()
shell.sync_url("data", an=an)

ds = an.dataset
n_actors = len(ds.actors)
st.markdown(f"**Now showing:** {md_text(ds.title)} — {len(ds.history):,} rows, {len(an.dates)} dates, "
            f"{n_actors} actor{'s' if n_actors != 1 else ''} ({md_text(', '.join(ds.actors))}).")
if ds.illustrative:
    st.warning(f"**Illustrative reconstruction.** {md_text(ds.label)}")
if ds.attribution:
    st.caption(md_text(ds.attribution))  # manifest text: shown as text, never markdown

st.subheader("Load your own history")
st.markdown(
    "GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ (e.g. from Google My Maps), GeoParquet, CSV with a WKT "
    "column — or several dated snapshot files at once (dates from names like `2022-03-01.geojson`). "
    "Columns: `date`, `actor`, `status` (controlled / contested / claimed), optional `valid_to`, `source`, "
    "`source_url`, `note`. A claims ledger alone is checked against the data shown now."
)

#: Canonical columns a file may name differently (the "Column mapping" boxes; the CLI's ``--column``).
MAPPABLE = ("date", "actor", "status", "valid_to", "source", "source_url", "note")

with st.form("upload"):
    # A fresh key after each load, accepted or refused, empties the uploaders, so the next upload
    # never silently merges with the previous file. The fields keep their values.
    n = st.session_state.get("upload_round", 0)
    files = st.file_uploader("History file(s)", accept_multiple_files=True, key=f"upload_files_{n}")
    claims = st.file_uploader("Claims ledger (CSV; alone, it is checked against the data shown now)", type=["csv"],
                              key=f"upload_claims_{n}")
    c1, c2, c3 = st.columns(3)
    actor = c1.text_input("Actor", key="upload_actor",
                          help="The actor's name for files (or rows) without an actor column, e.g. Occupied.")
    status = c2.selectbox("Status", ["controlled", "contested", "claimed"], key="upload_status",
                          help="The status of rows in files without a status column.")
    file_date = c3.date_input("File date", value=None, key="upload_file_date", format="YYYY-MM-DD",
                              help="The date of a single file without a date column or a dated name.")
    date_format = st.text_input(
        "Date format (only for dates like 01/03/2022)", key="upload_date_format", placeholder="%d/%m/%Y",
        help="Day/month order is never guessed: %d/%m/%Y reads 01/03/2022 as 1 March, %m/%d/%Y as 3 January. "
             "Leave empty for YYYY-MM-DD dates.")
    with st.expander("Column mapping: the column in your file that holds…"):
        cols = st.columns(4)
        mapped = {canon: cols[i % 4].text_input(canon, key=f"upload_col_{canon}", placeholder=canon)
                  for i, canon in enumerate(MAPPABLE)}
    with st.expander("Alias table: spellings that name the same actor or status"):
        alias_file = st.file_uploader("Alias table (CSV with columns alias,name)", type=["csv"],
                                      key=f"upload_aliases_{n}")
        edited = st.data_editor(pd.DataFrame({"alias": pd.Series(dtype=str), "name": pd.Series(dtype=str)}),
                                num_rows="dynamic", key="upload_alias_rows", width="stretch",
                                column_config={"alias": st.column_config.TextColumn("alias (as in the file)"),
                                               "name": st.column_config.TextColumn("name (to show)")})
        st.caption("Rows typed here are added to the uploaded table and win where both give the same alias.")
    settlements = st.file_uploader(
        "Settlement layer (CSV: name, lat, lon, population[, population_year]; replaces the bundled GeoNames "
        "gazetteer; alone, it applies to the data shown now)", type=["csv"], key=f"upload_settlements_{n}")
    submitted = st.form_submit_button("Load and validate")


def _refuse(message: str, records: list[dict]) -> NoReturn:
    """Keep the loaded data, say why, empty the uploaders (a fresh key) and redraw."""
    st.session_state["upload_report"] = records
    st.session_state["upload_error"] = f"{message} Your previous data is still loaded and unchanged."
    st.session_state["upload_round"] = n + 1
    st.rerun()


def _accept(new: Analysis, report, message: str, *, new_data: bool = True) -> None:
    st.session_state["uploaded"] = new
    st.session_state["upload_report"] = report.worded(shell.PAGE_WORDING).to_records()
    st.session_state["source"] = shell.UPLOADED
    st.session_state["_sync_choice"] = True
    st.session_state["upload_round"] = n + 1
    st.session_state["upload_message"] = message
    if new_data:  # a ledger alone keeps the data, so the date, focus and denominator still apply
        _forget_view()
    st.rerun()


def _with_settlements(base: Analysis) -> Analysis:
    """``base`` with the uploaded settlement layer (``base`` itself if none was chosen); a refused
    layer is named in the refusal and leaves the loaded data as it was."""
    if settlements is None:
        return base
    try:
        with shell.upload_slot(settlements.name):  # every upload takes the server's one upload slot
            return check_settlements(settlements.name, settlements.getvalue(), base)
    except LoadError as exc:
        _refuse(f"Refused: {exc.report.summary()} in {settlements.name}.",
                exc.report.worded(shell.PAGE_WORDING).to_records())


def _problem(message: str, file: str = "", field: str = "", hint: str = "") -> dict[str, str]:
    return {"severity": "error", "file": file, "row": "", "field": field, "message": message, "hint": hint,
            "code": "bad-option"}


if submitted:
    aliases, alias_problems = alias_rows(alias_file.name if alias_file else None,
                                         alias_file.getvalue() if alias_file else None, edited)
    columns = {k: v.strip() for k, v in mapped.items() if v and v.strip()}
    if not files and claims is None and settlements is None:
        st.error("Choose a history file (or several dated snapshots), a claims ledger or a settlement layer.")
    elif alias_problems:
        _refuse("Refused: the alias table cannot be read.",
                [_problem(p, alias_file.name, "alias table", "fix the table or type the rows in the editor")
                 for p in alias_problems])
    elif not files and claims is None:  # a settlement layer alone, for the data shown now
        new = _with_settlements(an)
        _accept(new, Report(), f"Settlements from {settlements.name} ({len(new.dataset.settlements):,} places) "
                               f"now count for {an.dataset.title}; {new.settlement_layer.population_note}.",
                new_data=False)
    elif not files:  # a claims ledger alone, against the data shown now
        try:
            with shell.upload_slot(claims.name):  # every upload takes the server's one upload slot
                new, ledger, claims_report = check_claims(claims.name, claims.getvalue(), an)
        except LoadError as exc:
            _refuse(f"Refused: {exc.report.summary()} in {claims.name}.",
                    exc.report.worded(shell.PAGE_WORDING).to_records())
        else:
            new = _with_settlements(new)
            table = new.claims()
            _accept(new, claims_report, f"Checked {len(ledger)} claim(s) from {claims.name} against {an.dataset.title}"
                                   f" ({0 if table is None else len(table)} rows on the Claims page).", new_data=False)
    else:
        options = LoadOptions(actor=actor.strip() or None, status=status, columns=columns,
                              date=file_date.isoformat() if file_date else None,
                              aliases=AliasTable.from_mapping(aliases), date_format=date_format.strip() or None,
                              cache=False, **UPLOAD_LIMITS)  # an upload never reaches the disk cache
        bar = st.progress(0.0, text="Reading the files…") if len(files) > 1 else None
        if bar is not None:
            options.progress = lambda done, total: bar.progress(done / total, text=f"Reading {done}/{total} files…")
        tmp = tempfiles.make("upload")  # removed below; a killed server's leftovers are swept at startup
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
        extra = {"upload": True, "actor": options.actor, "status": status, "date": options.date,
                 "columns": columns, "aliases": sorted(aliases.items()), "date_format": options.date_format}
        try:
            with shell.upload_slot(name):  # one upload read at a time per server: the others keep a core
                new_ds, new = read_upload(target, options, claims=claims_path, name=name, extra=extra)
        except LoadError as exc:
            # One problem repeated in every file is one row ("all 769 files (a, b, c, …)"), as in the terminal.
            refused = (exc.report.summary(), exc.report.summarised().worded(shell.PAGE_WORDING).to_records())
        except Exception as exc:  # never a traceback in the UI (the loaders report; this is a last resort)
            refused = ("the file could not be read", [{
                "severity": "error", "file": name, "row": "", "field": "",
                "message": f"unexpected problem: {type(exc).__name__}: {exc}",
                "hint": "please report this file to the maintainers", "code": "internal"}])
        else:
            refused = None
        finally:  # the data is in this session's memory only: drop the copies
            if bar is not None:
                bar.empty()
            shutil.rmtree(tmp, ignore_errors=True)
        if refused:
            _refuse(f"Refused: {refused[0]}.", refused[1])
        new = _with_settlements(new)  # the user's own places replace the gazetteer for this data
        _accept(new, new_ds.report,
                f"Loaded {name}: {len(new_ds.history):,} rows, {len(new.dates)} dates, {new_ds.report.summary()}. "
                "Now showing your data on every page.")

if err := st.session_state.pop("upload_error", None):
    st.error(err)
if msg := st.session_state.pop("upload_message", None):
    st.success(msg)

records = st.session_state.get("upload_report")
if records:
    st.subheader("Validation report")
    frame = pd.DataFrame(records[:100])[["severity", "file", "row", "field", "message", "hint"]]
    st.dataframe(frame.rename(columns={"hint": "what to do"}), hide_index=True, width="stretch")
    if len(records) > 100:
        st.caption(f"The first 100 problems are shown; {len(records) - 100:,} more are not.")
shell.remember()
