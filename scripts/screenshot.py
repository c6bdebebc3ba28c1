"""Take the README screenshot (docs/screenshot.png): the map page on the bundled history.

Runs the dashboard on a free port (the browser tests' ``run_streamlit``), opens
it in Debian's Chromium at 1400×1000 on a date given in the URL, waits until the
script is idle and the map has drawn its territory, and saves the page. Offline:
every request that is not to the local server is refused.

    python scripts/screenshot.py [--date 2016-07-04] [--out docs/screenshot.png] [--port 8600]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, run_streamlit  # noqa: E402

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
#: The map page's time player has painted territory (tests/browser/test_scrub.py waits the same way).
TERRITORY = ("() => { const f = document.querySelector("
             "'iframe[title=\"territory.ui.player_component.territory_player\"]');"
             " const d = f && f.contentDocument;"
             " return !!(d && d.querySelector('path.tp-feature')); }")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--date", default="2016-07-04")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    ap.add_argument("--port", type=int, default=None, help="serve on this port (default: a free one)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if k not in ("TERRITORY_PATH", "TERRITORY_ACTOR")}
        env["TERRITORY_CACHE_DIR"] = str(Path(tmp) / "cache")
        with run_streamlit("app.py", log=Path(tmp) / "streamlit.log", env=env, port=args.port) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1410})  # the map, its chart and net-change bars
            page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                       else route.abort())
            page.goto(f"{server.url}/?date={args.date}", timeout=120_000)
            page.wait_for_function(TERRITORY, timeout=120_000)
            page.wait_for_selector(IDLE, state="attached", timeout=120_000)
            page.wait_for_timeout(1500)  # the map's fade-in and label placement
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            browser.close()
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
