"""Who holds each settlement on each date, and which settlements changed hands.

Places are tested against polygons once per *distinct* geometry (an archive that
repeats yesterday's polygon costs nothing more), with one vectorised STRtree query
(shapely 2) for all of them; each row's places are then spread over the change
dates it is in force on. The result, :class:`Holdings` (a holder code per change
date × place ever held), answers "who holds what on D" and "what changed hands
between D1 and D2" by indexing, and is kept in the project's cache keyed by the
measured data and the settlement table.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from territory.model import END, to_day

#: When a place lies in two polygons on one date, the stronger status names its holder.
STATUS_RANK = {"claimed": 1, "contested": 2, "controlled": 3}
#: Columns of :func:`settlements_on` (``population_source`` states where the figure comes from).
ON_COLUMNS = ["name", "country", "region", "population", "lon", "lat", "actor", "status", "population_source"]
#: Columns of :func:`changed_hands`.
CHANGED_COLUMNS = ["name", "country", "region", "population", "lon", "lat", "date", "from_actor", "from_status",
                   "to_actor", "to_status", "population_source"]
#: Date × place cells filled per step while spreading rows over their dates (bounds memory).
FILL_CHUNK = 20_000_000
CACHE_NAME = "holdings-1.npz"


@dataclass
class Holdings:
    """Holder of every place ever held, on every change date.

    ``codes[i, j]`` is 0 (nobody) or 1 + the index into ``holders`` of the (actor, status)
    holding place ``places[j]`` from ``dates[i]`` until the next change date.
    """

    dates: np.ndarray  # datetime64[ns], sorted change dates
    places: np.ndarray  # int64 row positions in the settlement table
    codes: np.ndarray  # int16/int32 (len(dates), len(places))
    holders: list[tuple[str, str]]

    def at(self, day: object) -> np.ndarray:
        """Holder codes of ``places`` on ``day`` (the state in force then; 0 before the first date)."""
        i = int(np.searchsorted(self.dates, np.datetime64(to_day(day)), side="right")) - 1
        if i < 0:
            return np.zeros(len(self.places), self.codes.dtype)
        return self.codes[i]

    def actor_codes(self) -> np.ndarray:
        """Holder code -> actor index (0 nobody), to tell a change of hands from a change of status."""
        names = sorted({a for a, _ in self.holders})
        return np.array([0] + [1 + names.index(a) for a, _ in self.holders], dtype=np.int32)


def _row_places(geoms: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, place) pairs with the place inside or on the row's polygon, each distinct geometry tested once."""
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    rows = np.flatnonzero(ok)
    if not len(rows) or not len(x):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    wkb = shapely.to_wkb(geoms[rows])
    digests = np.array([hashlib.blake2b(w, digest_size=16).digest() for w in wkb], dtype=object)
    _, first, inverse = np.unique(digests, return_index=True, return_inverse=True)
    tree = shapely.STRtree(shapely.points(x, y))
    g_idx, p_idx = tree.query(geoms[rows[first]], predicate="intersects")  # sorted by geometry
    counts = np.bincount(g_idx, minlength=len(first))
    offsets = np.concatenate([[0], np.cumsum(counts)])
    per_row = counts[inverse]
    out_rows = np.repeat(rows, per_row)
    starts = np.repeat(offsets[inverse], per_row)
    within = np.arange(per_row.sum()) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    return out_rows, p_idx[starts + within]


def compute_holdings(history: pd.DataFrame, dates: list[pd.Timestamp], lon: np.ndarray, lat: np.ndarray) -> Holdings:
    """Holder of each place on each of ``dates`` from a ``with_validity`` history (lon/lat geometry)."""
    d = np.array(dates, dtype="datetime64[ns]")
    pair_row, pair_place = _row_places(np.asarray(history.geometry.values, dtype=object),
                                       np.asarray(lon, float), np.asarray(lat, float))
    places, place_col = np.unique(pair_place, return_inverse=True)
    keys = list(zip(history["actor"].astype(str), history["status"].astype(str), strict=True))
    holders = sorted(set(keys), key=lambda k: (k[0], STATUS_RANK.get(k[1], 0)))
    code_of = {k: i + 1 for i, k in enumerate(holders)}
    row_code = np.array([code_of[k] for k in keys], dtype=np.int32)
    row_rank = np.array([STATUS_RANK.get(s, 0) for _, s in keys], dtype=np.int8)
    start = np.searchsorted(d, history["date"].to_numpy("datetime64[ns]"), side="left")
    end_dates = history[END].to_numpy("datetime64[ns]")
    end = np.where(np.isnat(end_dates), len(d), np.searchsorted(d, end_dates, side="left"))
    dtype = np.int16 if len(holders) < 32_000 else np.int32
    codes = np.zeros((len(d), len(places)), dtype)
    order = np.argsort(row_rank[pair_row], kind="stable")  # weaker statuses first: the stronger one wins
    pair_row, place_col = pair_row[order], place_col[order]
    span = (end - start)[pair_row]
    lo = 0
    while lo < len(pair_row):  # spread each pair over its dates, a bounded number of cells at a time
        cum = np.cumsum(span[lo:])
        hi = lo + max(1, int(np.searchsorted(cum, FILL_CHUNK, side="right")))
        s = span[lo:hi]
        rep_rows, rep_cols = np.repeat(pair_row[lo:hi], s), np.repeat(place_col[lo:hi], s)
        offs = np.arange(s.sum()) - np.repeat(np.cumsum(s) - s, s)
        codes[start[rep_rows] + offs, rep_cols] = row_code[rep_rows]
        lo = hi
    return Holdings(d, places.astype(np.int64), codes, holders)


def settlement_key(table: pd.DataFrame) -> str:
    """A digest of the settlement table's coordinates (what the holdings depend on)."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(table["lon"].to_numpy(float)).tobytes())
    h.update(np.ascontiguousarray(table["lat"].to_numpy(float)).tobytes())
    return h.hexdigest()[:24]


def save_holdings(hold: Holdings, path) -> None:
    names = [a for a, _ in hold.holders] + [s for _, s in hold.holders]
    with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a temporary path
        np.savez(f, dates=hold.dates.astype("int64"), places=hold.places, codes=hold.codes,
                 holders=np.array(names, dtype=str))


def load_holdings(path) -> Holdings:
    with np.load(path, allow_pickle=False) as z:
        names = [str(v) for v in z["holders"]]
        n = len(names) // 2
        return Holdings(z["dates"].astype("datetime64[ns]"), z["places"], z["codes"],
                        list(zip(names[:n], names[n:], strict=True)))


def holdings_cached(history: Callable[[], pd.DataFrame], dates: list[pd.Timestamp], table: pd.DataFrame,
                    key: str | None) -> Holdings:
    """:func:`compute_holdings`, read from / written to the cache under the measured data's ``key``.

    The entry's name carries a digest of the settlement table, so a user's own layer never
    gets the gazetteer's answer. An unreadable entry is recomputed; no key means no caching.
    ``history`` gives the ``with_validity`` history only when it must be computed (building it costs
    more than reading the entry).
    """
    from territory import cache

    def compute() -> Holdings:
        return compute_holdings(history(), dates, table["lon"].to_numpy(float), table["lat"].to_numpy(float))

    if key is None:
        return compute()
    name = f"{CACHE_NAME}.{settlement_key(table)}"
    path = cache.fetch(key, name)
    if path is not None:
        try:
            hold = load_holdings(path)
            if len(hold.dates) == len(dates) and (not len(hold.places) or hold.places.max() < len(table)):
                return hold
        except (OSError, ValueError, KeyError):  # another version's layout: rebuilt
            pass
    hold = compute()
    if cache.entry(key, "measured.parquet").is_file():  # beside a stored measurement only: uploads never persist
        cache.store(key, name, lambda p: save_holdings(hold, p))
    return hold


def fill_regions(table: pd.DataFrame, regions) -> pd.DataFrame:
    """``region`` of each place without one: the name of the region polygon (``name`` column) it lies in."""
    if regions is None or not len(regions) or "name" not in regions.columns or not len(table):
        return table
    blank = table["region"].fillna("").astype(str).str.strip().eq("").to_numpy() if "region" in table \
        else np.ones(len(table), bool)
    if not blank.any():
        return table
    idx = np.flatnonzero(blank)
    pts = shapely.points(table["lon"].to_numpy(float)[idx], table["lat"].to_numpy(float)[idx])
    tree = shapely.STRtree(np.asarray(regions.geometry.values, dtype=object))
    p_i, r_i = tree.query(pts, predicate="intersects")
    names = regions["name"].astype(str).to_numpy()
    region = table["region"].astype(object).to_numpy().copy() if "region" in table else \
        np.full(len(table), "", dtype=object)
    keep = np.unique(p_i, return_index=True)[1]  # a point on a shared border: its first region
    region[idx[p_i[keep]]] = names[r_i[keep]]
    return table.assign(region=region)


def _listing(places: pd.DataFrame, note: str) -> pd.DataFrame:
    out = pd.DataFrame({c: places[c].to_numpy() if c in places.columns else "" for c in
                        ("name", "country", "region", "population", "lon", "lat")})
    out["population"] = pd.array(places["population"].to_numpy(), dtype="Int64") if "population" in places \
        else pd.array([pd.NA] * len(places), dtype="Int64")
    out["population_source"] = note
    return out


def settlements_on(hold: Holdings, places: pd.DataFrame, day: object, note: str,
                   actor: str | None = None) -> pd.DataFrame:
    """Every place with its holder (actor, status; blank: nobody) on ``day``; only ``actor``'s if given."""
    code = np.zeros(len(places), np.int32)
    code[hold.places] = hold.at(day)
    actors = np.array([""] + [a for a, _ in hold.holders], dtype=object)
    statuses = np.array([""] + [s for _, s in hold.holders], dtype=object)
    out = _listing(places, note)
    out.insert(6, "actor", actors[code])
    out.insert(7, "status", statuses[code])
    if actor is not None:
        out = out[out["actor"] == actor]
    out["_nobody"] = out["actor"] == ""  # held places first, each actor's most populous first
    return out.sort_values(["_nobody", "actor", "population", "name"], ascending=[True, True, False, True],
                           na_position="last", kind="stable").reset_index(drop=True)[ON_COLUMNS]


def changed_hands(hold: Holdings, places: pd.DataFrame, start: object, end: object, note: str) -> pd.DataFrame:
    """Places whose holding actor on ``end`` differs from ``start``'s, with the first date it differed.

    Every change date between is scanned, so ``date`` is when the place first left its
    ``start`` holder; from/to are the holders on ``start`` and on ``end``.
    """
    d0, d1 = to_day(start), to_day(end)
    if d1 < d0:
        raise ValueError(f"--from {d0.date()} is after --to {d1.date()}")
    a_of = hold.actor_codes()
    c0, c1 = hold.at(d0), hold.at(d1)
    moved = np.flatnonzero(a_of[c0] != a_of[c1])
    i0 = int(np.searchsorted(hold.dates, np.datetime64(d0), side="right"))
    i1 = int(np.searchsorted(hold.dates, np.datetime64(d1), side="right"))
    between = a_of[hold.codes[i0:i1][:, moved]] != a_of[c0[moved]][None, :]  # dates in (d0, d1]
    first = between.argmax(axis=0) if len(between) else np.zeros(len(moved), int)
    when = hold.dates[i0:i1][first] if len(between) else np.array([], "datetime64[ns]")
    actors = np.array([""] + [a for a, _ in hold.holders], dtype=object)
    statuses = np.array([""] + [s for _, s in hold.holders], dtype=object)
    out = _listing(places.iloc[hold.places[moved]], note)
    out.insert(6, "date", pd.to_datetime(when).strftime("%Y-%m-%d") if len(moved) else [])
    out.insert(7, "from_actor", actors[c0[moved]])
    out.insert(8, "from_status", statuses[c0[moved]])
    out.insert(9, "to_actor", actors[c1[moved]])
    out.insert(10, "to_status", statuses[c1[moved]])
    return out.sort_values(["date", "population", "name"], ascending=[True, False, True], na_position="last",
                           kind="stable").reset_index(drop=True)[CHANGED_COLUMNS]


def held_totals(hold: Holdings, places: pd.DataFrame, day: object, status: str = "controlled") -> pd.DataFrame:
    """Settlements and population inside each actor's ``status`` territory on ``day``."""
    code = hold.at(day)
    pop = pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy()[hold.places] \
        if "population" in places else np.zeros(len(hold.places))
    rows = []
    for k, (actor, st) in enumerate(hold.holders, start=1):
        if st != status:
            continue
        inside = code == k
        if inside.any():
            rows.append((actor, int(inside.sum()), int(pop[inside].sum())))
    return pd.DataFrame(rows, columns=["actor", "settlements", "population"])


def settlements_gained(hold: Holdings, places: pd.DataFrame, actor: str, start: object, end: object,
                       status: str | None = "controlled") -> tuple[int, int]:
    """(settlements, population) ``actor`` holds on ``end`` and did not on ``start``: a gain claim's figure.

    ``status`` (default controlled) is the status that counts as held; None: any status.
    """
    a_of = hold.actor_codes()
    names = sorted({a for a, _ in hold.holders})
    if actor not in names:
        return 0, 0
    want = 1 + names.index(actor)
    ok = np.array([False] + [status is None or s == status for _, s in hold.holders])
    c0, c1 = hold.at(start), hold.at(end)
    held0 = (a_of[c0] == want) & ok[c0]
    held1 = (a_of[c1] == want) & ok[c1]
    gained = held1 & ~held0
    pop = pd.to_numeric(places["population"], errors="coerce").fillna(0).to_numpy()[hold.places] \
        if "population" in places else np.zeros(len(hold.places))
    return int(gained.sum()), int(pop[gained].sum())
