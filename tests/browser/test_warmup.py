"""The dashboard warms itself: one protocol-level visit runs the map page on the server (issue 9.7)."""

from __future__ import annotations

from territory.analysis import analysis_for
from territory.ui.warmup import wait_healthy, warm


def test_warm_runs_the_map_page_on_the_server(streamlit_app):
    assert wait_healthy(streamlit_app.url, timeout=30)
    before = len(streamlit_app.timing_lines())
    assert warm(streamlit_app.url, timeout=300)
    new = streamlit_app.timing_lines()[before:]
    # The default page ran to its end once, again with the map's "drawn" report (as a browser sends it:
    # the chart's run), then once per other date (each date precomputed).
    labels = {d.date().isoformat() for d in analysis_for().dates}
    assert {line.split("\t")[0] for line in new} == {"map"}
    days = [line.split("\t")[1] for line in new]
    assert set(days) == labels and len(new) == len(labels) + 1
    assert days[0] == days[1]


def test_warm_never_raises_when_nobody_answers():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert not wait_healthy(f"http://127.0.0.1:{port}", timeout=0.5)
    assert not warm(f"http://127.0.0.1:{port}", timeout=2)
