"""The brief (issue 18.8): its numbers are the CLI tables', its dates are checked, its PDF has its pages."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from territory.brief import calendar_months, md_cell, md_table, previous_bounds
from tests.cli_run import run_cli
from tests.ukraine_style import make_archive

D1, D2 = "2016-05-31", "2016-06-30"  # June 2016, chained as `territory change --every month` chains it


def md_tables(text: str) -> dict[str, pd.DataFrame]:
    """Each '## heading' of a Markdown brief → the table under it (cells unescaped, as strings)."""
    out = {}
    for part in re.split(r"^## ", text, flags=re.M)[1:]:
        head, _, body = part.partition("\n")
        rows = [ln for ln in body.splitlines() if ln.startswith("|")]
        if len(rows) < 2:
            continue
        split = [[c.strip().replace("\\", "") for c in re.split(r"(?<!\\)\|", r)[1:-1]] for r in rows]
        out[head.split(" (")[0].split(",")[0]] = pd.DataFrame(split[2:], columns=split[0])
    return out


def num(cell: str) -> float:
    return float(cell.replace(",", "")) if cell != "—" else float("nan")


def csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=False)


def cli(*args: str) -> str:
    """stdout of a ``territory`` command that must succeed."""
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


def brief_md(*args: str) -> str:
    code, out, err = run_cli("brief", *args, "--format", "md")
    assert code == 0, err
    return out


@pytest.fixture(scope="module")
def bundled_md(bundled):
    return brief_md("--from", D1, "--to", D2)


def test_change_and_period_figures_are_the_change_commands(bundled_md):
    tables = md_tables(bundled_md)
    change = tables["Net change"]
    out = cli("change", "--from", D1, "--to", D2, "--table", "summary")
    ref = csv(out)
    ref = ref[(ref["area_from_km2"] > 0) | (ref["area_to_km2"] > 0)].set_index(["actor", "status"])
    assert len(change) == len(ref) > 3
    for row in change.itertuples(index=False):
        r = ref.loc[(row[0], row[1])]
        for cell, col in zip(row[2:], ("area_from_km2", "area_to_km2", "gained_km2", "lost_km2", "net_km2"),
                             strict=False):
            assert num(cell) == pytest.approx(r[col], abs=0.051), (row[0], col)
        assert num(row[7]) == pytest.approx(r["net_km2_per_day"], abs=0.0051)
    # The bars: June and the six months before, each the --every month row of the focus actor.
    periods = tables["Against the periods before"]
    out = cli("change", "--every", "month", "--from", "2015-11-30", "--to", D2)
    every = csv(out)
    every = every[(every["actor"] == "Islamic State") & (every["status"] == "controlled")]
    assert len(periods) == len(every) == 7
    assert periods["period"].iloc[-1] == "2016-06 (this brief)"
    for p, (_, e) in zip(periods.itertuples(index=False), every.iterrows(), strict=True):
        assert (p[1], p[2]) == (e["date_from"][:10], e["date_to"][:10])
        assert num(p[4]) == pytest.approx(e["net_km2"], abs=0.051)
        assert num(p[5]) == pytest.approx(e["net_km2_per_day"], abs=0.0051)
        assert num(p[6]) == pytest.approx(e["gained_km2"], abs=0.051)
        assert num(p[7]) == pytest.approx(e["lost_km2"], abs=0.051)
    # The headline names its baseline and its denominator (days).
    assert "baseline: the ground held on 2016-05-31" in bundled_md.replace("\\", "")
    assert "over 30 days" in bundled_md and "÷ 183 days" in bundled_md


def test_regions_patches_settlements_claims_are_the_cli_tables(bundled_md):
    tables = md_tables(bundled_md)
    regions = tables["By region"]
    a = cli("regions", "--date", D1)
    b = cli("regions", "--date", D2)
    on1, on2 = (csv(t).set_index(["region", "actor"])["area_km2"] for t in (a, b))
    inside = regions[regions["region"] != "(outside every region)"]
    assert len(inside) >= 2
    for r in inside.itertuples(index=False):
        assert num(r[3]) == pytest.approx(on1[(r[0], r[2])], abs=0.051)
        assert num(r[4]) == pytest.approx(on2[(r[0], r[2])], abs=0.051)
        assert num(r[5]) - num(r[6]) == pytest.approx(num(r[7]), abs=0.11)  # gained − lost = net
        assert num(r[7]) == pytest.approx(on2[(r[0], r[2])] - on1[(r[0], r[2])], abs=0.11)
    # Per actor, the rows (with the ground in no region) add up to the change.
    out = cli("change", "--from", D1, "--to", D2, "--table", "summary")
    ref = csv(out).query("status == 'controlled'").set_index("actor")
    for actor, part in regions.groupby("actor"):
        assert part["net km²"].map(num).sum() == pytest.approx(ref.loc[actor, "net_km2"], abs=0.5)
    patches = tables["Where the front moved: largest patches"]
    out = cli("change", "--from", D1, "--to", D2, "--table", "patches")
    ref = csv(out).head(len(patches))
    assert len(patches) >= 1
    assert patches["patch"].tolist() == ref["patch"].tolist()
    assert patches["km²"].map(num).tolist() == pytest.approx(ref["area_km2"].tolist(), abs=0.051)
    assert patches["description"].tolist() == ref["description"].tolist()
    sett = tables["Settlements that changed hands"]
    out = cli("settlements", "--from", D1, "--to", D2)
    ref = csv(out)
    assert len(sett) == len(ref) > 0
    assert sorted(zip(sett["name"], sett["date"], strict=True)) == sorted(zip(ref["name"], ref["date"], strict=True))
    claims = tables["Claims dated in the period"]
    out = cli("claims")
    ref = csv(out)
    ref = ref[(ref["date"] >= D1) & (ref["date"] <= D2)]
    assert len(claims) == len(ref) > 0
    assert dict(zip(claims["id"], claims["verdict"], strict=True)) == dict(zip(ref["id"], ref["verdict"], strict=True))
    assert "within ×1.2" in bundled_md  # the verdict rule, from claims.verdict_rule()
    assert "GeoNames" in bundled_md or "settlement" in bundled_md.lower()


def test_pdf_has_its_pages_and_text(bundled, tmp_path):
    import pypdf

    out = tmp_path / "brief.pdf"
    code, _, err = run_cli("brief", "--from", D1, "--to", D2, "--out", str(out))
    assert code == 0, err
    pages = [p.extract_text() for p in pypdf.PdfReader(out).pages]
    titles = ["Net change", "By region", "Where the front moved", "Where the front moved: the largest patches",
              "Settlements that changed hands", "Claims checked against the map", "Method and sources"]
    assert len(pages) == len(titles)
    for text, title in zip(pages, titles, strict=True):
        assert title in text, title
    assert "30 June 2016" in pages[0] and "net km² (Islamic State, controlled)" in pages[0]
    assert "2016-06" in pages[0] and "2015-12" in pages[0]  # the bars name their periods
    assert "Fallujah" in " ".join(pages)
    assert "within ×1.2" in pages[-1]


@pytest.mark.parametrize(("args", "words"), [
    (("--from", D2, "--to", D1, "--format", "md"), "is not after --from"),
    (("--from", "2010-01-01", "--to", D2, "--format", "md"), "before the data begins"),
    (("--from", D1, "--to", "2030-01-01", "--format", "md"), "after the data ends"),
    (("--from", "June", "--to", D2, "--format", "md"), "dates must be YYYY-MM-DD"),
    (("--from", D1, "--to", D2), "needs --out"),
])
def test_bad_dates_are_usage_errors(bundled, args, words):
    code, out, err = run_cli("brief", *args)
    assert code == 2 and words in err and not out and "Traceback" not in err


def test_same_length_periods_before():
    t = pd.Timestamp
    assert calendar_months(t("2025-05-31"), t("2025-06-30")) == 1
    assert calendar_months(t("2025-06-01"), t("2025-06-30")) == 1
    assert calendar_months(t("2025-01-01"), t("2025-03-31")) == 3
    assert calendar_months(t("2025-06-03"), t("2025-06-30")) == 0
    b = previous_bounds(t("2025-06-01"), t("2025-06-30"), t("2025-01-01"), 6)
    assert b["period"].tolist() == ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]  # Dec left out
    assert [d.day for d in b["date_to"]] == [31, 28, 31, 30, 31, 30]
    assert b["current"].tolist() == [False] * 5 + [True]
    w = previous_bounds(t("2025-06-02"), t("2025-06-09"), t("2025-01-01"), 2)
    assert [(a.date().isoformat(), z.date().isoformat()) for a, z in zip(w["date_from"], w["date_to"], strict=True)] \
        == [("2025-05-19", "2025-05-26"), ("2025-05-26", "2025-06-02"), ("2025-06-02", "2025-06-09")]


def test_markdown_cells_are_escaped():
    assert md_cell("a|b\nc") == "a\\|b c"
    assert md_cell("<script>*x*</script>") == "\\<script\\>\\*x\\*\\</script\\>"
    assert md_cell(float("nan")) == "—"
    table = md_table(["name"], [["Kherson | city"]])
    assert table.splitlines()[2] == "| Kherson \\| city |"


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ua") / "snapshots"
    make_archive(folder, 120)  # 2022-03-01 .. 2022-06-28
    return folder


def test_bare_archive_brief_equals_the_cli(bare, tmp_path):
    common = (str(bare), "--actor", "Occupied")
    text = brief_md(*common, "--from", "2022-04-30", "--to", "2022-05-31")
    tables = md_tables(text)
    out = cli("change", *common, "--from", "2022-04-30", "--to", "2022-05-31", "--table", "summary")
    ref = csv(out).iloc[0]
    row = tables["Net change"].iloc[0]
    assert row["actor"] == "Occupied"
    for cell, col in ((row.iloc[4], "gained_km2"), (row.iloc[5], "lost_km2"), (row.iloc[6], "net_km2")):
        assert num(cell) == pytest.approx(ref[col], abs=0.051)
    periods = tables["Against the periods before"]
    out = cli("change", *common, "--every", "month", "--from", "2022-03-31", "--to", "2022-05-31")
    every = csv(out)
    assert len(periods) == len(every) == 2  # March would start before the data: left out, and said
    assert periods["net km²"].map(num).tolist() == pytest.approx(every["net_km2"].tolist(), abs=0.051)
    assert "left out" in text
    regions = tables["By region"]
    assert len(regions) > 0
    a = cli("regions", *common, "--date", "2022-04-30")
    b = cli("regions", *common, "--date", "2022-05-31")
    on1, on2 = (csv(t).set_index("region")["area_km2"] for t in (a, b))
    for r in regions[regions["region"] != "(outside every region)"].itertuples(index=False):
        assert num(r[7]) == pytest.approx(on2[r[0]] - on1[r[0]], abs=0.11)
    out = cli("settlements", *common, "--from", "2022-04-30", "--to", "2022-05-31")
    assert len(tables.get("Settlements that changed hands", [])) == len(csv(out))
    assert "This dataset has no claims ledger." in text
    pdf = tmp_path / "ua.pdf"
    code, _, err = run_cli("brief", *common, "--from", "2022-04-30", "--to", "2022-05-31", "--out", str(pdf))
    assert code == 0, err
    assert pdf.read_bytes().startswith(b"%PDF")


def test_as_of_d2_nothing_later_is_cited(bundled_md):
    later = [d for d in re.findall(r"\d{4}-\d{2}-\d{2}", bundled_md) if d > D2]
    assert not later, later  # the data runs to 2019: the brief as of June 2016 names no later day
    assert "read from 2014-06-01 to 2016-06-30" in bundled_md


def test_focus_previous_and_md_file(bundled, tmp_path):
    text = brief_md("--from", D1, "--to", D2, "--focus", "Iraqi government forces", "--previous", "2")
    s = bundled.compare(D1, D2)["summary"]  # what `territory change --from D1 --to D2` prints
    net = s[(s.actor == "Iraqi government forces") & (s.status == "controlled")]["net_km2"].iloc[0]
    assert text.splitlines()[2].startswith(f"Iraqi government forces: net {net:+,.1f} km²")
    periods = md_tables(text)["Against the periods before"]
    assert periods["period"].tolist() == ["2016-04", "2016-05", "2016-06 (this brief)"]
    code, _, err = run_cli("brief", "--from", D1, "--to", D2, "--focus", "Nobody", "--format", "md")
    assert code == 2 and "--focus: no actor 'Nobody'" in err
    out = tmp_path / "june.md"  # the format follows the file's suffix
    code, stdout, err = run_cli("brief", "--from", D1, "--to", D2, "--out", str(out))
    assert code == 0 and not stdout and f"wrote {out}" in err
    assert out.read_text(encoding="utf-8") == brief_md("--from", D1, "--to", D2)
