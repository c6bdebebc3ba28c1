"""The claims ledger: each published figure beside the area measured from the polygons."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from territory.analysis import Analysis
from territory.claimplot import claim_plot
from territory.claims import verdict_rule
from territory.links import safe_url
from territory.style import VERDICT_COLORS
from territory.ui import shell
from territory.ui.charts import claims_chart
from territory.ui.maps import key

an, labels = shell.open_page("Claims", "Claims ledger")
focus = shell.selected_focus(an)
shell.sync_url("claims", an=an)

table = shell.claims_table(an)
if table is None or table.empty:
    st.info("This dataset has no claims ledger. Add one on the Data page (a claims CSV).")
    st.stop()


@st.cache_data(show_spinner="Placing the claims on their series…", hash_funcs={Analysis: key}, max_entries=16)
def _plot(an: Analysis, claims: pd.DataFrame):
    return claim_plot(an, claims)


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

#: Rows the page draws (table and chart): a 100,000-row ledger is checked in full, but a browser table of
#: it and a chart of 100,000 markers would take minutes; the filters and `territory claims` reach the rest.
MAX_SHOWN = 2000
if len(view) > MAX_SHOWN:
    st.caption(f"Showing the first {MAX_SHOWN:,} of the {len(view):,} claims in this selection (all {len(table):,} "
               "were checked): narrow it with the filters above; the whole table: `territory claims`.")
    view = view.iloc[:MAX_SHOWN]

# Only http(s) URLs become links; anything else (javascript:, data:, file:) is shown as text.
links = view["source_url"].map(safe_url)
view = view.assign(source_url=links, source_text=view["source_url"].where(links.isna() & (view["source_url"] != "")))
# Verdict first, so it is visible without scrolling sideways; an empty cell is blank, not "None"/"nan".
COLUMNS = ["verdict", "date", "claim", "claimant", "implied_km2", "computed_km2", "ratio", "implied_low_km2",
           "implied_high_km2", "basis", "quote", "source_url", "source_text"]
shown = view[COLUMNS].reset_index(drop=True)
for col in ("claimant", "claim", "basis", "quote", "source_url", "source_text", "verdict"):
    shown[col] = ["" if v is None or (isinstance(v, float) and pd.isna(v)) or str(v).strip() in ("", "nan", "None")
                  else v for v in shown[col]]
# Numbers as text so a missing figure is a blank cell (a null number cell reads "None").
for col, fmt in (("implied_km2", "{:,.0f}"), ("computed_km2", "{:,.0f}"), ("implied_low_km2", "{:,.0f}"),
                 ("implied_high_km2", "{:,.0f}"), ("ratio", "{:.2f}")):
    shown[col] = [fmt.format(v) if pd.notna(v) and abs(v) != float("inf") else ("∞" if pd.notna(v) else "")
                  for v in shown[col]]
NUMERIC = ["implied_km2", "computed_km2", "ratio", "implied_low_km2", "implied_high_km2"]
styled = (shown.style.format(na_rep="")
          .set_properties(subset=NUMERIC, **{"text-align": "right"})
          .map(lambda v: f"color:{VERDICT_COLORS.get(v, '#333')};font-weight:600", subset=["verdict"]))
st.dataframe(
    styled,
    hide_index=True, width="stretch",
    column_config={
        "verdict": st.column_config.TextColumn("Verdict", pinned=True),
        "date": st.column_config.TextColumn("Date"),
        "claim": st.column_config.TextColumn("Claim", width="medium"),
        "claimant": "Claimant",
        "implied_km2": "Implied km²",
        "computed_km2": "Computed km²",
        "ratio": "Ratio",
        "implied_low_km2": "Implied, low",
        "implied_high_km2": "Implied, high",
        "basis": st.column_config.TextColumn("How it was checked", width="large"),
        "quote": st.column_config.TextColumn("Quote", width="large"),
        "source_url": st.column_config.LinkColumn("Source"),
        "source_text": st.column_config.TextColumn("Source (not a web link)"),
    },
)
n_cal = int(table["calibration"].sum())
st.caption(
    f"Verdicts: {verdict_rule()} "
    "'baseline unstated' shows the range over plausible baselines instead of a verdict. "
    f"{n_cal} row(s) were used to calibrate the illustrative history: 'calibration point', never confirmation. "
    "Same table: `territory claims`."
)
st.subheader("Each claim against the series it speaks of")
st.caption("A regional claim sits on that region's series, a loss claim on the loss since the peak, an "
           "“at its height” figure at the peak. Each y axis fits the computed line; a claim beyond it is a "
           "triangle on the top edge (its implied km² in the tooltip). Dashed red line: the selected date.")
chart = claims_chart(_plot(an, view), st.session_state["date"])
if chart is None:
    st.info("No claim in this selection can be placed on a series (comparisons need a reference area; "
            "claims must name an actor and a region present in the data).")
else:
    st.altair_chart(chart, width="content")
shell.remember()
