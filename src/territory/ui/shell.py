"""The Streamlit shell shared by every page: which dataset, which date, which actors.

Caching lives here, not in the core: the bundled (or ``territory serve PATH``)
dataset is measured once per process and shared read-only by every session
(``st.cache_resource``); an uploaded dataset lives in the uploader's own
``st.session_state`` and is never visible to another browser session.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import threading
from pathlib import Path

import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.app import page_path
from territory.borders import note_for
from territory.datasets import bundled_path
from territory.io.options import LoadOptions
from territory.keynumbers import KeyNumbers, KeyNumberSource
from territory.model import STATUSES
from territory.regions import RegionLayer
from territory.report import LoadError, Report
from territory.sources import open_dataset
from territory.store import StoreError, is_db_url, redact
from territory.ui.maps import key as _key
from territory.ui.mapview import md_text
from territory.ui.tablecache import disk_table

BUNDLED = "bundled"
UPLOADED = "uploaded"

#: How the dashboard names each load option in a validation report's hints: the Data page's fields.
PAGE_WORDING = {"actor": "the “Actor” field", "status": "the “Status” field", "file_date": "the “File date” field",
                "date_format": "the “Date format” field", "column": "the “{column}” box under Column mapping",
                "aliases": "the alias table"}


def configure_page(title: str) -> None:
    st.set_page_config(page_title=f"{title} · Territory", page_icon="🗺️", layout="wide")
    _sweep_once()
    st.html(f"<style>{PAGE_CSS}</style>")


def open_page(name: str, heading: str) -> tuple[Analysis, list[str]]:
    """A further page's common start: page config, the dataset (and its banner), the dates, the heading."""
    configure_page(name)
    an = analysis()
    labels = init_date(an)
    st.title(heading)
    dataset_banner(an)
    return an, labels


#: Page polish: the title starts under the toolbar (not 6rem down); sidebar chips
#: and choices show whole actor names and denominators instead of cutting them off.
PAGE_CSS = """
[data-testid=stMainBlockContainer]{padding-top:1.5rem}
[data-testid=stSidebar] [data-testid=stMultiSelect] [role=group]{max-height:none;overflow:visible}
[data-testid=stSidebar] [data-tag]{max-width:100%;height:auto;min-height:1.6rem}
[data-testid=stSidebar] [data-tag] span[title]{max-width:none;white-space:normal;overflow:visible;
  text-overflow:clip;line-height:1.25;padding:2px 0}
"""


@st.cache_resource(show_spinner=False)
def _upload_semaphore() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(UPLOAD_SLOTS)


#: Uploads read at once per server process; a second one waits up to UPLOAD_WAIT_S, then is refused.
UPLOAD_SLOTS = 1
UPLOAD_WAIT_S = 5.0


@contextlib.contextmanager
def upload_slot(name: str):
    """Hold the server's upload slot while reading ``name`` (raise LoadError if it stays busy).

    One session's heavy upload then uses one of the machine's cores, never all of
    them: other sessions keep stepping through dates while it loads.
    """
    sem = _upload_semaphore()
    if not sem.acquire(timeout=UPLOAD_WAIT_S):
        report = Report()
        report.error("the server is reading another upload right now", file=name, code="busy",
                     hint="press Load again in a moment; your current data is unchanged")
        raise LoadError(report)
    try:
        yield
    finally:
        sem.release()


@st.cache_resource(show_spinner=False)
def _sweep_once() -> int:
    """Once per server process: remove upload/export temp folders and cache temp files a killed server left."""
    from territory import cache, tempfiles

    return tempfiles.sweep_stale() + cache.sweep()


PAGES = {name: str(page_path(name)) for name in ("compare", "claims", "regions", "data", "export")}


def route_from_url() -> None:
    """Open the page named in ``?page=`` once per session, so a shared link restores the view."""
    page = st.query_params.get("page")
    if page in PAGES and not st.session_state.get("_routed"):
        st.session_state["_routed"] = True
        keep = {k: st.query_params.get_all(k) for k in st.query_params if k != "page"}
        st.switch_page(PAGES[page], query_params=keep)
    st.session_state["_routed"] = True


def default_path() -> Path | str:
    """The dataset the server was started on (``TERRITORY_PATH``: a path or a postgresql:// URL), else the bundled history."""
    env = os.environ.get("TERRITORY_PATH")
    if is_db_url(env):
        return env
    return Path(env) if env else bundled_path()


def data_version(path: str) -> str:
    """A store's data version (one query per run, so a reload shows new writes); "" for files."""
    if not is_db_url(path):
        return ""
    from territory.store.postgis import data_version as store_version

    return store_version(path)


def default_options() -> str:
    """The input options the server was started with (``territory serve`` sets ``TERRITORY_OPTIONS``), as JSON."""
    opts = json.loads(os.environ.get("TERRITORY_OPTIONS") or "{}")
    if os.environ.get("TERRITORY_ACTOR"):
        opts["actor"] = os.environ["TERRITORY_ACTOR"]
    return json.dumps(opts, sort_keys=True)


def load_default(path: str, options: str, progress=None) -> Analysis | Report:
    """The server's dataset, measured (on-disk cache keyed as every dashboard process keys it).

    ``progress(done, total)`` is told of each file of a folder as it is read.
    """
    given = json.loads(options)
    try:
        opts = LoadOptions.from_cli(**{k: v for k, v in given.items() if k != "settlements"})
        opts.progress = progress
        opts.workers_when_threaded = True  # read once for every session: a big folder on every core
        aliases = Path(given["aliases"]).read_bytes() if given.get("aliases") else b""
        ds = open_dataset(path, opts)
        if given.get("settlements"):  # territory serve --settlements FILE: the user's places replace the gazetteer
            from territory.datasets import use_settlements
            from territory.gazetteer import read_settlements

            use_settlements(ds, read_settlements(given["settlements"]))
    except LoadError as exc:
        return exc.report
    except (ValueError, OSError) as exc:  # an option the server was started with cannot be used
        report = Report()
        report.error(str(exc), file=str(path), code="bad-option", hint="restart the server with a valid option")
        return report
    extra = {"options": given, "aliases": hashlib.sha256(aliases).hexdigest(), "app": True}
    return Analysis.from_paths(ds, extra=extra)


class DefaultLoad:
    """The server's dataset loading in a background thread, shared by every session of the process.

    A cold load of a big folder takes a while: every session that opens a page meanwhile
    (the first visitor, or ``territory serve``'s warm-up and a visitor) draws the same
    progress (files read so far) instead of waiting behind a spinner, and the load runs
    once. On a terminal the server also prints the progress line the CLI prints.
    """

    def __init__(self, path: str, options: str) -> None:
        self.done = self.total = 0
        self.result: Analysis | Report | None = None
        self.error: BaseException | None = None
        self.finished = threading.Event()
        self._tty = _stderr_is_tty()
        self._thread = threading.Thread(target=self._run, args=(path, options), name="territory-load", daemon=True)

    def start(self) -> DefaultLoad:
        self._thread.start()
        return self

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if self._tty:
            from territory.cli_options import progress_line

            progress_line(done, total)

    def _run(self, path: str, options: str) -> None:
        try:
            self.result = load_default(path, options, progress=self.progress)
        except BaseException as exc:  # raised again in the session that waits (a store that cannot be read)
            self.error = exc
        finally:
            self.finished.set()

    def label(self) -> str:
        if self.done < self.total:
            return f"Reading the dataset: {self.done:,} of {self.total:,} files…"
        return f"Read {self.total:,} files; measuring the areas…"


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


#: Default datasets kept loaded per server process (as the cache of measured datasets kept before).
LOADS_KEPT = 4
#: How often a waiting page redraws the progress bar (seconds).
PROGRESS_POLL_S = 0.25


@st.cache_resource(show_spinner=False)
def _loads() -> tuple[dict[tuple[str, str, str], DefaultLoad], threading.Lock]:
    return {}, threading.Lock()


def default_load(path: str, options: str, version: str = "") -> DefaultLoad:
    """The (started) load of the server's dataset; ``version`` (a store's data version) keys it too.

    A load that raised is started again the next time it is asked for.
    """
    loads, lock = _loads()
    key = (path, options, version)
    with lock:
        job = loads.get(key)
        if job is None or (job.finished.is_set() and job.error is not None):
            job = loads[key] = DefaultLoad(path, options).start()
            while len(loads) > LOADS_KEPT:
                loads.pop(next(iter(loads)))
    return job


def wait_with_progress(job: DefaultLoad, slot=None) -> Analysis | Report:
    """The load's result; while it runs, ``slot`` (a placeholder) shows a progress bar of the files read.

    The caller draws the placeholder on every run, loaded or not, and it is left empty
    afterwards: the page's later elements keep their places from one run to the next (an
    element that appears only on the first run would shift them, and Streamlit would redraw
    an open expander below it closed).
    """
    if not job.finished.is_set():
        slot = slot if slot is not None else st.empty()
        while not job.finished.wait(PROGRESS_POLL_S):
            if job.total:
                slot.progress(min(job.done / job.total, 1.0), text=job.label())
            else:  # one file or a database: no count to show
                slot.info("Measuring the dataset…", icon="⏳")
        slot.empty()
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[return-value]


def analysis() -> Analysis:
    """The analysis this session is looking at (uploaded data if chosen)."""
    if st.session_state.get("source") == UPLOADED and isinstance(st.session_state.get("uploaded"), Analysis):
        return st.session_state["uploaded"]
    path = str(default_path())
    slot = st.empty()  # the cold load's progress; empty on every other run (see wait_with_progress)
    try:
        result = wait_with_progress(default_load(path, default_options(), data_version(path)), slot)
    except StoreError as exc:
        st.error(f"The database could not be read: {exc}")
        st.stop()
    if isinstance(result, Report):
        st.error(f"The dataset at {redact(path) if is_db_url(path) else path} could not be loaded.")
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


#: Widget values that survive a page switch (Streamlit drops the state of widgets a page does not draw).
KEPT = ("date", "actors", "focus", "denominator", "compare_from", *(f"status_{s}" for s in STATUSES))


def remember() -> None:
    """Copy widget values that must survive a page switch (call at the end of a page)."""
    for k in KEPT:
        if k in st.session_state:
            st.session_state[f"_{k}"] = st.session_state[k]


def _current(key: str) -> object:
    """A kept value: the widget's if drawn on this page, else the copy made by :func:`remember`."""
    return st.session_state.get(key, st.session_state.get(f"_{key}"))


def _restore(key: str, valid: list, from_url: object, default: object) -> None:
    """Put a valid value under ``key`` before its widget is drawn: this page's, the kept copy, the URL's, the default."""
    current = _current(key)
    if current not in valid:
        current = from_url if from_url in valid else default
    st.session_state[key] = current


def _default_date(an: Analysis, labels: list[str]) -> str:
    """Open on the date the dataset's manifest names (``"date"``), else the latest: on a live archive
    the latest day is the news. A named date between change dates opens on the state in force on it."""
    named = an.dataset.open_date
    if named:
        earlier = [d for d in labels if d <= named]
        if earlier:
            return earlier[-1]
    return labels[-1]


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


def selected_focus(an: Analysis) -> str:
    """Whose numbers (sidebar, ``?focus=``): the metrics, legend order, report and exports follow it.

    The default is the dataset's focus actor: the one its manifest names, else
    the actor with the largest controlled peak.
    """
    actors = an.dataset.actors
    if not actors:
        return an.focus_actor
    _restore("focus", actors, st.query_params.get("focus"), an.focus_actor)
    return st.sidebar.selectbox(
        "Focus actor", actors, key="focus",
        help=f"Whose numbers the page gives: the key figures, the legend order, the report and the exports "
             f"follow this actor. Default: {md_text(an.focus_actor)} "
             f"({'named by the dataset' if an.dataset.focus_actor == an.focus_actor else 'the largest peak'}).")


@st.cache_data(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def denominator_keys(an: Analysis) -> list[str]:
    """Short, stable names of the denominators for the URL (``?denominator=syria_official_cia_2024``)."""
    from territory.export.naming import slugify

    keys: list[str] = []
    for i, d in enumerate(an.denominators()):
        k = slugify(f"{d.region} {d.source}", fallback="denominator")
        keys.append(k if k not in keys else f"{k}_{i}")
    return keys


def selected_denominator(an: Analysis) -> int:
    """Index of the chosen denominator (sidebar, ``?denominator=``); 0 (the region's outline) by default."""
    denoms = denominators(an)
    if not denoms:
        return 0
    keys = denominator_keys(an)
    wanted = st.query_params.get("denominator")
    _restore("denominator", list(range(len(denoms))), keys.index(wanted) if wanted in keys else None, 0)
    pick = st.sidebar.selectbox("Share of (denominator)", range(len(denoms)), format_func=lambda i: denoms[i][1],
                                key="denominator", help="Every percentage names what it divides by.")
    st.sidebar.caption(f"Shares divide by {md_text(denoms[pick][1])}.")  # the box cuts long labels off
    basis = an.region_basis()  # a bare history: which country it was placed in, and why
    if basis:
        st.sidebar.caption(f"Region found from the data: {md_text(basis)}")
    return pick


def selected_statuses() -> list[str]:
    st.sidebar.toggle("Online map tiles (OpenStreetMap)", key="online_tiles",
                      help="Off by default: the map then needs no network at all.")
    st.sidebar.caption("Status layers")
    # ``?status=controlled&status=claimed``; ``?status=none`` hides all; unknown values are ignored.
    from_url = [v for v in st.query_params.get_all("status") if v in (*STATUSES, "none")]
    out = []
    for status in STATUSES:
        key = f"status_{status}"
        _restore(key, [True, False], (status in from_url) if from_url else None, True)
        if st.sidebar.checkbox(status.capitalize(), key=key):
            out.append(status)
    return out


def restore_compare_from(labels: list[str], default: str) -> None:
    """Compare's first date (``?from=``), restored before its widget is drawn."""
    _restore("compare_from", labels, st.query_params.get("from"), default)


def sync_url(page: str, actors: list[str] | None = None, all_actors: list[str] | None = None,
             an: Analysis | None = None) -> None:
    """Keep the view in the URL so a link restores it: page, date, actors, focus, denominator, statuses, Compare's from."""
    qp = st.query_params

    def put(name: str, value: str | list[str] | None) -> None:
        if value in (None, [], ""):
            if name in qp:
                del qp[name]
        elif (qp.get_all(name) if isinstance(value, list) else qp.get(name)) != value:
            qp[name] = value

    if st.session_state.get("date"):
        put("date", st.session_state["date"])
    if qp.get("page") != page:
        qp["page"] = page
    if actors is not None:
        put("actor", [] if all_actors is not None and set(actors) == set(all_actors) else actors)
    if an is None:
        return
    focus = _current("focus")
    put("focus", focus if focus in an.dataset.actors and focus != an.focus_actor else None)
    denoms = denominators(an)
    i = _current("denominator")
    put("denominator", denominator_keys(an)[i] if isinstance(i, int) and 0 < i < len(denoms) else None)
    shown = [s for s in STATUSES if _current(f"status_{s}") is not False]
    put("status", None if len(shown) == len(STATUSES) else (shown or ["none"]))
    put("from", _current("compare_from") if page == "compare" else None)


def dataset_banner(an: Analysis) -> None:
    """Name the dataset; say loudly when it is an illustrative reconstruction."""
    ds = an.dataset
    st.sidebar.markdown(f"**Dataset:** {md_text(ds.title)}")
    if st.session_state.get("source") == UPLOADED:
        st.sidebar.caption("Your uploaded data (visible in this browser session only).")
    if ds.illustrative:
        st.warning(f"**Illustrative reconstruction.** {md_text(ds.label)}", icon="⚠️")
    if ds.partial:
        with st.sidebar.expander(f"Partial actors ({len(ds.partial)})"):
            for actor, note in ds.partial.items():
                st.markdown(f"**{md_text(actor)}**: {md_text(note)}")
            if ds.unassigned:
                st.caption(md_text(ds.unassigned))


def fmt_km2(v: float) -> str:
    return f"{v:,.0f} km²"


@st.cache_data(show_spinner="Checking the claims…", hash_funcs={Analysis: _key}, max_entries=16)
def claims_table(an: Analysis) -> pd.DataFrame | None:
    """The claims ledger checked against the data (on disk across restarts, see ``tablecache``)."""
    return disk_table(an.cache_key, "claims", an.claims, ("claim", "verdict"))


@st.cache_data(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=256)
def compare(an: Analysis, start: str, end: str, status: str | None = None) -> dict:
    return an.compare(start, end, status=status)


@st.cache_data(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=32)
def border_note(an: Analysis, denominator_index: int = 0) -> str:
    """Which border convention the map draws (the chosen denominator's outline), for the source line."""
    return note_for(an, denominator_index)


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def default_region_layer(an: Analysis) -> RegionLayer | None:
    """The dataset's own region layer, else the bundled admin-1 outlines of its countries (built once)."""
    return an.region_layer()


@st.cache_data(show_spinner="Measuring regions…", max_entries=64,
               hash_funcs={Analysis: _key, RegionLayer: lambda layer: layer.key})
def regions_table(an: Analysis, layer: RegionLayer, days: tuple[str, ...], status: str = "controlled") -> pd.DataFrame:
    """km² and share of each region per actor on each of ``days`` (``territory regions``' table)."""
    return an.regions_table([pd.Timestamp(d) for d in days], layer, status=status)


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=1024)
def settlements_at(an: Analysis, day: str) -> pd.DataFrame:
    """Settlements held on ``day``, shared by every session (no copy per step: treat as read-only)."""
    return an.settlements_at(day)  # thread-safe: the core holds territory.geos.SHARED_GEOMETRY


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
def _key_source(an: Analysis, denominator_index: int, focus: str | None = None) -> KeyNumberSource:
    return KeyNumberSource(an, actor=focus, denominator_index=denominator_index)


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=4096)
def key_numbers(an: Analysis, day: str, denominator_index: int = 0, focus: str | None = None) -> KeyNumbers:
    """``focus``'s key numbers on ``day`` (the same object the exports print); default the dataset's focus actor.

    Computed once per (dataset, date, denominator, focus) and shared by every
    session: a step to a date anyone has seen is a lookup. Treat it as read-only.
    """
    source = _key_source(an, denominator_index, focus)
    return source.on(day, where_outside=True)  # the core holds territory.geos.SHARED_GEOMETRY


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def change_steps(an: Analysis) -> pd.DataFrame:
    """Gains and losses at every change date (one vectorised pass per dataset; on disk across restarts)."""
    return disk_table(an.cache_key, "change_series", an.change_series,
                      ("date", "actor", "status", "gained_km2", "lost_km2"))


def step_change(an: Analysis, day: str, actor: str, status: str = "controlled") -> tuple[float, float]:
    """(gained, lost) km² of ``actor`` from the previous change date to ``day``.

    The same figures as ``territory change --from <previous date> --to <day>``.
    """
    return _change_index(an).get((pd.Timestamp(day), actor, status), (0.0, 0.0))


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=8)
def _change_index(an: Analysis) -> dict[tuple[pd.Timestamp, str, str], tuple[float, float]]:
    """``change_steps`` summed per (date, actor, status): a step reads one dict entry."""
    cs = change_steps(an)
    if cs.empty:
        return {}
    sums = cs.groupby(["date", "actor", "status"], sort=False)[["gained_km2", "lost_km2"]].sum()
    return {(pd.Timestamp(d), a, st_): (float(g), float(lo))
            for (d, a, st_), g, lo in zip(sums.index, sums["gained_km2"], sums["lost_km2"], strict=True)}


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=4096)
def equivalent(an: Analysis, km2: float) -> str | None:
    """``an.equivalent(km2)`` once per (dataset, km²): the same figure recurs at every step to that date."""
    return an.equivalent(km2)


@st.cache_resource(show_spinner=False, hash_funcs={Analysis: _key}, max_entries=64)
def page_chart(an: Analysis, actors: tuple[str, ...]) -> dict:
    """The map page's chart spec with its datasets already Arrow bytes.

    ``st.vega_lite_chart`` converts every dataset in the spec to Arrow on every
    run (~4 ms a step, more with many dates); bytes are sent as they are. Built
    once per (dataset, actor selection) and shared; never mutated (Streamlit
    copies the spec before taking the datasets out).
    """
    from streamlit import dataframe_util

    from territory.ui.charts import chart_spec

    spec = dict(chart_spec(an, actors, claims_table(an)))
    if isinstance(spec.get("datasets"), dict):
        spec["datasets"] = {name: data if isinstance(data, bytes) else
                            dataframe_util.convert_anything_to_arrow_bytes(_dictionary_encoded(pd.DataFrame(data)))
                            for name, data in spec["datasets"].items()}
    return spec


def _dictionary_encoded(df: pd.DataFrame) -> pd.DataFrame:
    """Repeated text columns (actor, date) as categoricals: Arrow sends each distinct value once.

    The chart's data goes to the browser with every date step (Streamlit re-sends
    an element's data on each run) and is decoded there again: 797 rows of the
    bundled history are ~50 kB as plain strings, ~1/3 of that dictionary-encoded.
    The values the chart reads are the same strings.
    """
    out = df.copy()
    for col in out.columns:
        values = out[col].dropna()
        if pd.api.types.is_string_dtype(out[col]) and len(out) > 1 and values.map(type).eq(str).all() \
                and out[col].nunique() <= len(out) // 2:
            out[col] = out[col].astype("category")
    return out
