"""The Streamlit shell shared by every page: which dataset, which date, which actors.

Caching lives here, not in the core: the bundled (or ``territory serve PATH``)
dataset is measured once per process and shared read-only by every session
(``st.cache_resource``); an uploaded dataset lives in the uploader's own
``st.session_state`` and is never visible to another browser session.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.app import page_path
from territory.datasets import bundled_path, load_dataset
from territory.io.options import LoadOptions
from territory.keynumbers import KeyNumbers, KeyNumberSource
from territory.report import LoadError, Report
from territory.ui.maps import key as _key

BUNDLED = "bundled"
UPLOADED = "uploaded"

#: How the dashboard names each load option in a validation report's hints: the Data page's fields.
PAGE_WORDING = {"actor": "the “Actor” field", "status": "the “Status” field", "file_date": "the “File date” field",
                "date_format": "the “Date format” field", "column": "the “{column}” box under Column mapping",
                "aliases": "the alias table"}


def configure_page(title: str) -> None:
    st.set_page_config(page_title=f"{title} · Territory", page_icon="🗺️", layout="wide")


PAGES = {name: str(page_path(name)) for name in ("compare", "claims", "regions", "data", "export")}


def route_from_url() -> None:
    """Open the page named in ``?page=`` once per session, so a shared link restores the view."""
    page = st.query_params.get("page")
    if page in PAGES and not st.session_state.get("_routed"):
        st.session_state["_routed"] = True
        keep = {k: st.query_params.get_all(k) for k in st.query_params if k != "page"}
        st.switch_page(PAGES[page], query_params=keep)
    st.session_state["_routed"] = True


def default_path() -> Path:
    """The dataset the server was started on (``TERRITORY_PATH``), else the bundled history."""
    env = os.environ.get("TERRITORY_PATH")
    return Path(env) if env else bundled_path()


def default_options() -> str:
    """The input options the server was started with (``territory serve`` sets ``TERRITORY_OPTIONS``), as JSON."""
    opts = json.loads(os.environ.get("TERRITORY_OPTIONS") or "{}")
    if os.environ.get("TERRITORY_ACTOR"):
        opts["actor"] = os.environ["TERRITORY_ACTOR"]
    return json.dumps(opts, sort_keys=True)


@st.cache_resource(show_spinner="Measuring the dataset…")
def _load_default(path: str, options: str) -> Analysis | Report:
    given = json.loads(options)
    try:
        opts = LoadOptions.from_cli(**given)
        aliases = Path(given["aliases"]).read_bytes() if given.get("aliases") else b""
        ds = load_dataset(path, opts)
    except LoadError as exc:
        return exc.report
    except (ValueError, OSError) as exc:  # an option the server was started with cannot be used
        report = Report()
        report.error(str(exc), file=str(path), code="bad-option", hint="restart the server with a valid option")
        return report
    extra = {"options": given, "aliases": hashlib.sha256(aliases).hexdigest(), "app": True}
    return Analysis.from_paths(ds, extra=extra)


def analysis() -> Analysis:
    """The analysis this session is looking at (uploaded data if chosen)."""
    if st.session_state.get("source") == UPLOADED and isinstance(st.session_state.get("uploaded"), Analysis):
        return st.session_state["uploaded"]
    result = _load_default(str(default_path()), default_options())
    if isinstance(result, Report):
        st.error(f"The dataset at {default_path()} could not be loaded.")
        st.dataframe(pd.DataFrame(result.worded(PAGE_WORDING).to_records()), hide_index=True)
        st.stop()
    return result


def date_labels(an: Analysis) -> list[str]:
    return [d.date().isoformat() for d in an.dates]


def init_date(an: Analysis) -> list[str]:
    """Make sure ``st.session_state['date']`` holds a valid date, from the URL if given."""
    labels = date_labels(an)
    qp = st.query_params.get("date")
    # Widget state is dropped on pages that don't draw the widget: keep a copy.
    current = st.session_state.get("date", st.session_state.get("_date"))
    if current not in labels:
        if qp in labels:
            current = qp
        elif qp:
            # A date between change dates: show the state in force on it.
            earlier = [d for d in labels if d <= qp]
            current = earlier[-1] if earlier else labels[0]
        else:
            current = _default_date(an, labels)
    st.session_state["date"] = current
    return labels


def remember() -> None:
    """Copy widget values that must survive a page switch (call at the end of a page)."""
    for k in ("date", "actors"):
        if k in st.session_state:
            st.session_state[f"_{k}"] = st.session_state[k]


def _default_date(an: Analysis, labels: list[str]) -> str:
    """Open on the focus actor's peak: the most telling first view."""
    t = an.table
    rows = t[(t["actor"] == an.focus_actor) & (t["status"] == "controlled")]
    if rows.empty:
        return labels[0]
    return pd.Timestamp(rows.loc[rows["area_km2"].idxmax(), "date"]).date().isoformat()


def selected_actors(an: Analysis) -> list[str]:
    """Actors to show (sidebar multiselect, kept in the URL)."""
    all_actors = an.dataset.actors
    if "actors" not in st.session_state and "_actors" in st.session_state:
        st.session_state["actors"] = st.session_state["_actors"]
    if "actors" not in st.session_state:
        qp = st.query_params.get_all("actor")
        st.session_state["actors"] = [a for a in qp if a in all_actors] or all_actors
    st.session_state["actors"] = [a for a in st.session_state["actors"] if a in all_actors] or all_actors
    return st.sidebar.multiselect("Actors", all_actors, key="actors")


def selected_statuses() -> list[str]:
    st.sidebar.toggle("Online map tiles (OpenStreetMap)", key="online_tiles",
                      help="Off by default: the map then needs no network at all.")
    st.sidebar.caption("Status layers")
    out = []
    for status, default in (("controlled", True), ("contested", True), ("claimed", True)):
        if st.sidebar.checkbox(status.capitalize(), value=default, key=f"status_{status}"):
            out.append(status)
    return out


def sync_url(page: str, actors: list[str] | None = None, all_actors: list[str] | None = None) -> None:
    """Keep date, actors and page in the URL so a link restores the view."""
    qp = st.query_params
    if st.session_state.get("date") and qp.get("date") != st.session_state["date"]:
        qp["date"] = st.session_state["date"]
    if qp.get("page") != page:
        qp["page"] = page
    if actors is not None:
        wanted = [] if all_actors is not None and set(actors) == set(all_actors) else actors
        if qp.get_all("actor") != wanted:
            if wanted:
                qp["actor"] = wanted
            elif "actor" in qp:
                del qp["actor"]


def dataset_banner(an: Analysis) -> None:
    """Name the dataset; say loudly when it is an illustrative reconstruction."""
    ds = an.dataset
    st.sidebar.markdown(f"**Dataset:** {ds.title}")
    if st.session_state.get("source") == UPLOADED:
        st.sidebar.caption("Your uploaded data (visible in this browser session only).")
    if ds.illustrative:
        st.warning(f"**Illustrative reconstruction.** {ds.label}", icon="⚠️")


def fmt_km2(v: float) -> str:
    return f"{v:,.0f} km²"


@st.cache_data(show_spinner="Checking the claims…", hash_funcs={Analysis: _key}, max_entries=16)
def claims_table(an: Analysis) -> pd.DataFrame | None:
    return an.claims()


@st.cache_data(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=256)
def compare(an: Analysis, start: str, end: str, status: str | None = None) -> dict:
    return an.compare(start, end, status=status)


@st.cache_data(show_spinner="Measuring regions…", hash_funcs={Analysis: _key}, max_entries=64)
def regions_at(an: Analysis, day: str) -> pd.DataFrame:
    return an.regions_at(day)


@st.cache_data(show_spinner="Measuring every region at every date…", hash_funcs={Analysis: _key}, max_entries=4)
def regions_series(an: Analysis) -> pd.DataFrame:
    """``regions_at`` for every change date (the Regions page's time series)."""
    return pd.concat([regions_at(an, d.date().isoformat()) for d in an.dates], ignore_index=True)


@st.cache_data(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=512)
def settlements_at(an: Analysis, day: str) -> pd.DataFrame:
    return an.settlements_at(day)


@st.cache_data(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def denominators(an: Analysis) -> list[tuple[str, str, float]]:
    return [(d.region, d.label, d.km2) for d in an.denominators()]


def log_timing(page: str, day: str | None, seconds: float) -> None:
    """Append one line per run to ``$TERRITORY_TIMINGS`` (benchmarks read server time from it)."""
    path = os.environ.get("TERRITORY_TIMINGS")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"{page}\t{day}\t{seconds:.6f}\n")


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=16)
def _key_source(an: Analysis, denominator_index: int) -> KeyNumberSource:
    return KeyNumberSource(an, denominator_index=denominator_index)


def key_numbers(an: Analysis, day: str, denominator_index: int = 0) -> KeyNumbers:
    """The focus actor's key numbers on ``day`` (the same object the exports print)."""
    return _key_source(an, denominator_index).on(day)


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def change_steps(an: Analysis) -> pd.DataFrame:
    """Gains and losses at every change date (one vectorised pass per dataset)."""
    return an.change_series()


def step_change(an: Analysis, day: str, actor: str, status: str = "controlled") -> tuple[float, float]:
    """(gained, lost) km² of ``actor`` from the previous change date to ``day``.

    The same figures as ``territory change --from <previous date> --to <day>``.
    """
    cs = change_steps(an)
    rows = cs[(cs["date"] == pd.Timestamp(day)) & (cs["actor"] == actor) & (cs["status"] == status)]
    return float(rows["gained_km2"].sum()), float(rows["lost_km2"].sum())


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def area_pivot(an: Analysis) -> pd.DataFrame:
    """km² by change date (rows) × (actor, status) (columns), for fast lookups per step."""
    return an.table.pivot_table(index="date", columns=["actor", "status"], values="area_km2", aggfunc="last")
