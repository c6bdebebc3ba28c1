"""Export: report maps, the PDF report, an offline interactive HTML, animations and data."""

from __future__ import annotations

import streamlit as st

from territory.export import animate, html_document, report_pdf, save_map, write_state, write_table
from territory.ui import shell
from territory.ui.downloads import MIME, download_name, produce

an, labels = shell.open_page("Export", "Export")
focus = shell.selected_focus(an)
pick = shell.selected_denominator(an)
shell.sync_url("export", an=an)

KINDS = {
    "Report map (PNG)": ("png", "map"), "Report map (SVG, editable text)": ("svg", "map"),
    "Report map (PDF, vector)": ("pdf", "map"), "PDF report (map, chart, claims, method)": ("pdf", "report"),
    "Interactive HTML (offline, all dates)": ("html", "player"), "Animation (GIF)": ("gif", "animation"),
    "Animation (MP4)": ("mp4", "animation"), "Territory on the date (GeoJSON)": ("geojson", "state"),
    "Territory on the date (GeoPackage)": ("gpkg", "state"), "Time-series table (CSV)": ("csv", "stats"),
    "Change table (CSV)": ("csv", "change"), "Claims ledger (CSV)": ("csv", "claims"),
    "Time-series table (JSON)": ("json", "stats"), "Claims ledger (JSON)": ("json", "claims"),
    "Brief for a period (PDF)": ("pdf", "brief"), "Brief for a period (Markdown)": ("md", "brief"),
}
choice = st.selectbox("What to export", list(KINDS), key="export_kind")
fmt, kind = KINDS[choice]

st.select_slider("Date", options=labels, key="date")
day = st.session_state["date"]
opts: dict = {}
if kind == "map":
    c1, c2, c3 = st.columns(3)
    opts["width"] = c1.number_input("Width (px)", 400, 6000, 1600, step=100, key="export_w")
    opts["height"] = c2.number_input("Height (px)", 300, 4000, 1000, step=100, key="export_h")
    opts["dpi"] = c3.number_input("DPI", 72, 600, 150, step=25, key="export_dpi")
if kind == "report":
    opts["title"] = st.text_input("Report title", value="", key="export_title", max_chars=200,
                                  placeholder=an.dataset.title,
                                  help="Heads every page and the PDF's metadata; empty: the dataset's title.")
if kind in ("map", "report"):
    i = labels.index(day)
    opts["since"] = st.selectbox("Change since", labels[: i + 1] or labels, index=max(i - 1, 0), key="export_since")
if kind == "animation":
    c1, c2, c3 = st.columns(3)
    start = c1.selectbox("From", labels, index=0, key="anim_from")
    end = c2.selectbox("To", labels, index=len(labels) - 1, key="anim_to")
    fps = c3.number_input("Frames per second", 1, 30, 4, key="anim_fps")
    c4, c5 = st.columns(2)
    width = c4.number_input("Width (px)", 320, 1920, 960, step=80, key="anim_w")
    height = c5.number_input("Height (px)", 240, 1080, 600, step=60, key="anim_h")
if kind == "change":
    i = labels.index(day)
    since = st.selectbox("Change since", labels[: i + 1], index=max(i - 1, 0), key="export_change_since")
if kind == "brief":  # territory brief --from --to: the same core (territory.brief)
    import datetime as dt

    from territory.brief import default_start, last_day

    first, last = an.dates[0].date(), last_day(an).date()
    c1, c2 = st.columns(2)
    brief_to = c2.date_input("To (the brief is as of it)", value=min(dt.date.fromisoformat(day), last),
                             min_value=first, max_value=last, key="brief_to")
    brief_from = c1.date_input("From (the baseline)", value=default_start(an, brief_to).date(), min_value=first,
                               max_value=last, key="brief_from")
    st.caption(f"Same as `territory brief --from {brief_from} --to {brief_to}`.")

name = download_name(an, (start, end) if kind == "animation" else (brief_from, brief_to) if kind == "brief" else (None if kind in ("player", "stats", "claims") else day),
                     fmt, kind)
st.caption(f"File: `{name}`")
if an.dataset.illustrative:
    st.caption("Every export carries the label “illustrative reconstruction” and the data sources.")
if kind in ("map", "report", "animation"):
    from territory.export.fonts import missing_note
    from territory.ui.mapview import md_text

    note = missing_note(an.dataset)
    if note:
        st.warning(md_text(note), icon="⚠️")

if st.button("Prepare the file", type="primary", key="export_go"):
    try:
        if kind == "map":
            data = produce(lambda p: save_map(an, day, p, fmt, width=int(opts["width"]), height=int(opts["height"]),
                                              dpi=int(opts["dpi"]), since=opts["since"], focus=focus,
                                              denominator_index=pick), fmt)
        elif kind == "report":
            with st.spinner("Writing the report…"):
                data = produce(lambda p: report_pdf(an, day, p, since=opts["since"], focus=focus,
                                                    denominator_index=pick, title=opts.get("title") or None), fmt)
        elif kind == "brief":
            from territory.brief import brief_markdown, build_brief

            with st.spinner("Writing the brief…"):
                brief = build_brief(an, brief_from, brief_to, focus=focus)
                if fmt == "md":
                    data = brief_markdown(brief).encode("utf-8")
                else:
                    from territory.export.brief import brief_pdf

                    data = produce(lambda p: brief_pdf(brief, an, p), fmt)
        elif kind == "player":
            data = html_document(an).encode("utf-8")
        elif kind == "animation":
            bar = st.progress(0.0, text="Rendering frames…")
            data = produce(lambda p: animate(an, p, fmt, start=start, end=end, fps=float(fps),
                                             size=(int(width), int(height)),
                                             progress=lambda done, total: bar.progress(done / max(total, 1),
                                                                                       text=f"Frame {done} of {total}"),
                                             focus=focus, denominator_index=pick), fmt)
            bar.progress(1.0, text="Done")
        elif kind == "state":
            data = produce(lambda p: write_state(an, day, p, fmt), fmt)
        else:
            data = produce(lambda p: write_table(an, kind, p, fmt, day=day, since=since if kind == "change" else None,
                                                 denominator_index=pick), fmt)
    except ValueError as exc:  # dates the brief refuses: said as `territory brief` says it
        st.error(str(exc) if kind == "brief" else f"The export failed: ValueError: {exc}")
    except Exception as exc:  # an export failing must not take the page down
        st.error(f"The export failed: {type(exc).__name__}: {exc}")
    else:
        st.session_state["export_ready"] = (name, data, MIME[fmt])
        st.session_state["export_ready_view"] = (focus, pick)

ready = st.session_state.get("export_ready")
if ready and ready[0] == name and st.session_state.get("export_ready_view") == (focus, pick):  # a file made for another focus is not offered
    st.download_button(f"Download {ready[0]} ({len(ready[1]) / 1024:,.0f} kB)", ready[1], file_name=ready[0],
                       mime=ready[2], key="export_download", on_click="ignore")
    if ready[2] in ("image/png", "image/gif"):
        st.image(ready[1], caption=f"Preview of {ready[0]}")
shell.remember()
