"""The player's "Net change per period" bars: the focus actor's gained/lost/net km² per week and month.

The figures are ``territory change --every week|month`` rows (:func:`territory.periods.period_change`,
the function the CLI calls), for one actor and the ``controlled`` status, rounded once to whole km² as the
page prints them; the browser (``assets/player/netchart.js``) draws them as they come and never computes a
figure. Per-key overlays are independent, so measuring only the focus actor's snapshots gives the CLI's
rows for that actor at a fraction of the cost.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from territory.area import Measured

#: The periods the player offers (the CLI's ``--every`` choices that suit bars).
EVERY = ("week", "month")
#: Columns of each period row: label, calendar start and end (the state compared, ``date_to``), the state
#: compared against (``date_from``), gained, lost and net km² (whole km²).
COLS = ("period", "start", "end", "from", "gained", "lost", "net")
STATUS = "controlled"


def _whole(v: float) -> int | None:
    return round(float(v)) if math.isfinite(v) else None


def _day(ts: object) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def actor_measured(measured: Measured, actor: str, status: str = STATUS) -> Measured:
    """``measured`` restricted to one actor's snapshots in one status (rows and geometry kept aligned)."""
    snaps = measured.snapshots
    keep = ((snaps["actor"] == actor) & (snaps["status"] == status)).to_numpy()
    return Measured(snaps[keep].reset_index(drop=True), measured.geometry[keep])


def net_rows(analysis: Any, actor: str | None = None) -> dict[str, Any] | None:
    """``{"actor", "status", "cols", "week": rows, "month": rows}`` for the player, or None (under two dates)."""
    from territory.periods import period_bounds, period_change

    actor = actor or analysis.focus_actor
    if len(analysis.dates) < 2 or not actor:
        return None
    mine = actor_measured(analysis.measured, actor)
    out: dict[str, Any] = {"actor": str(actor), "status": STATUS, "cols": list(COLS)}
    for every in EVERY:
        table = period_change(mine, period_bounds(analysis.dates, every), status=STATUS)
        table = table[table["actor"] == actor]
        out[every] = [[str(r.period), _day(r.period_start), _day(r.period_end), _day(r.date_from),
                       _whole(r.gained_km2), _whole(r.lost_km2), _whole(r.net_km2)]
                      for r in table.itertuples(index=False)]
    return out
