"""pages/ and geodata/ are found at the top of a checkout and inside an installed package."""

from __future__ import annotations

from territory import resources


def test_checkout_copies_are_found():
    assert (resources.PAGES_DIR / "map.py").is_file()
    assert (resources.GEODATA_DIR / "is_syria_iraq" / "history.geojson").is_file()


def test_installed_copy_wins_and_a_leftover_folder_does_not(tmp_path, monkeypatch):
    pkg, top = tmp_path / "pkg", tmp_path / "top"
    (top / "pages").mkdir(parents=True)
    monkeypatch.setattr(resources, "PACKAGE_DIR", pkg)
    monkeypatch.setattr(resources, "CHECKOUT_ROOT", top)
    (pkg / "app" / "pages" / "__pycache__").mkdir(parents=True)  # an old checkout's leftovers
    assert resources.shipped_dir("app/pages", "pages", "map.py") == top / "pages"
    (pkg / "app" / "pages" / "map.py").write_text("")  # a wheel's mapped copy
    assert resources.shipped_dir("app/pages", "pages", "map.py") == pkg / "app" / "pages"
