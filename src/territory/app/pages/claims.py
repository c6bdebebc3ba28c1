"""The claims ledger: each published figure beside the area measured from the polygons."""

from __future__ import annotations

import streamlit as st

from territory.claims import PP_TOLERANCE, RATIO_TOLERANCE
from territory.links import safe_url
from territory.ui import shell
from territory.ui.charts import area_chart

shell.configure_page("Claims")
an = shell.analysis()
labels = shell.init_date(an)
st.title("Claims ledger")
shell.dataset_banner(an)
focus = shell.selected_focus(an)
shell.sync_url("claims", an=an)

table = shell.claims_table(an)
if table is None or table.empty:
    st.info("This dataset has no claims ledger. Add one on the Data page (a claims CSV).")
    st.stop()

c1, c2, c3 = st.columns([2, 2, 3])
verdicts = sorted(table["verdict"].unique())
pick = c1.multiselect("Verdict", verdicts, default=verdicts, key="claims_verdicts")
metrics = sorted(table["metric"].unique())
pick_m = c2.multiselect("Metric", metrics, default=metrics, key="claims_metrics")
text = c3.text_input("Search claimant, quote or source", key="claims_search")
view = table[table["verdict"].isin(pick) & table["metric"].isin(pick_m)]
if text:
    hay = (view["claimant"].astype(str) + " " + view["quote"].astype(str) + " " + view["source"].astype(str)).str.casefold()
    view = view[hay.str.contains(text.casefold(), regex=False)]

# Only http(s) URLs become links; anything else (javascript:, data:, file:) is shown as text.
links = view["source_url"].map(safe_url)
view = view.assign(source_url=links, source_text=view["source_url"].where(links.isna() & (view["source_url"] != "")))
st.dataframe(
    view[["date", "claimant", "claim", "implied_km2", "implied_low_km2", "implied_high_km2", "computed_km2",
          "ratio", "verdict", "basis", "quote", "source_url", "source_text"]],
    hide_index=True, width="stretch",
    column_config={
        "implied_km2": st.column_config.NumberColumn("implied km²", format="%.0f"),
        "implied_low_km2": st.column_config.NumberColumn("implied low", format="%.0f"),
        "implied_high_km2": st.column_config.NumberColumn("implied high", format="%.0f"),
        "computed_km2": st.column_config.NumberColumn("computed km²", format="%.0f"),
        "ratio": st.column_config.NumberColumn(format="%.2f"),
        "source_url": st.column_config.LinkColumn("source"),
        "source_text": st.column_config.TextColumn("source (not a web link)"),
    },
)
n_cal = int(table["calibration"].sum())
st.caption(
    f"Verdicts: consistent when the implied km² is within ×{RATIO_TOLERANCE:g} of the computed km² "
    f"(or a percentage within {PP_TOLERANCE:g} points); overstated/understated outside; "
    "'baseline unstated' shows the range over plausible baselines instead of a verdict. "
    f"{n_cal} row(s) were used to calibrate the illustrative history: 'calibration point', never confirmation. "
    "Same table: `territory claims`."
)
st.subheader("Claims against the computed series")
st.altair_chart(area_chart(an, st.session_state["date"], [focus], view), width="stretch")
shell.remember()
