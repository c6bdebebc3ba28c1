"""The floor for ``bench/bench_sessions.py --floor``: the least a Streamlit page can be that steps dates.

A title, then a fragment holding the same date slider as the map page and the
big date label; no data, no map, no chart. N Chromium pages of this app on the
machine measure what Streamlit's own front end costs before Territory adds
anything: no Streamlit page can show its first element, or a step, sooner.
The dates come from the file named by ``$FLOOR_DATES`` (a JSON list) so the
slider has as many options as the real one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
labels: list[str] = json.loads(Path(os.environ["FLOOR_DATES"]).read_text())
if "date" not in st.session_state:
    start = st.query_params.get("date")
    st.session_state["date"] = start if start in labels else labels[-1]
st.title("Territory")


@st.fragment
def date_view() -> None:
    st.markdown(f"<div data-testid='big-date'>{st.session_state['date']}</div>", unsafe_allow_html=True)
    st.select_slider("Date", options=labels, key="date", label_visibility="collapsed")


date_view()
