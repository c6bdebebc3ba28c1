"""Invalid polygons are repaired to the ground GEOS's structure repair gives, overlapping parts by a cheaper road."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from territory.area import area_km2
from territory.io import repair
from territory.io.repair import make_valid_structure


def _geos(geoms: list) -> np.ndarray:
    return shapely.make_valid(np.array(geoms, dtype=object), method="structure", keep_collapsed=False)


def _same_ground(got: np.ndarray, want: np.ndarray) -> None:
    assert shapely.is_valid(got).all()
    a, b = area_km2(got), area_km2(want)
    np.testing.assert_allclose(a, b, rtol=1e-9)
    assert (shapely.area(shapely.symmetric_difference(got, want)) <= 1e-12 * np.maximum(shapely.area(want), 1)).all()


def _islands(n: int, x0: float = 33.0, step: float = 0.2) -> list:
    return [shapely.Point(x0 + step * i, 45.0).buffer(0.15, 5) for i in range(n)]


FRONT = shapely.Point(36.0, 48.5).buffer(2.0, 200)
BOW_TIE = shapely.Polygon([(30, 45), (31, 46), (31, 45), (30, 46), (30, 45)])
#: Two C shapes whose union is a ring with a hole.
C_LEFT = shapely.Polygon([(0, 0), (2, 0), (2, 1), (1, 1), (1, 3), (2, 3), (2, 4), (0, 4)])
C_RIGHT = shapely.Polygon([(1.5, 0), (3, 0), (3, 4), (1.5, 4), (1.5, 3), (2.5, 3), (2.5, 1), (1.5, 1)])


@pytest.fixture
def no_geos_repair(monkeypatch):
    """Count the calls to GEOS's make_valid (the road the cheap path avoids)."""
    calls = []
    real = shapely.make_valid

    def counted(geoms, *args, **kwargs):
        calls.append(len(np.atleast_1d(geoms)))
        return real(geoms, *args, **kwargs)

    monkeypatch.setattr(repair.shapely, "make_valid", counted)
    return calls


def test_overlapping_valid_parts_are_united_without_geos_repair(no_geos_repair):
    geoms = [shapely.MultiPolygon([FRONT, *_islands(2)]),  # the islands overlap each other, not the front
             shapely.MultiPolygon([C_LEFT, C_RIGHT]),  # a union with a hole
             shapely.MultiPolygon([FRONT, shapely.Point(37.5, 48.5).buffer(1.0, 50)])]  # a patch over the front
    want = _geos(geoms)
    no_geos_repair.clear()
    got = make_valid_structure(np.array(geoms, dtype=object))
    assert no_geos_repair == []
    _same_ground(got, want)
    assert len(shapely.get_interior_ring(got[1], 0).coords) > 0  # the hole is kept
    assert shapely.equals_exact(shapely.get_geometry(got[0], 0), FRONT, 0)  # a part apart is kept as it was


def test_a_part_whose_box_meets_the_overlaps_but_not_their_shape_is_kept_as_it_was(no_geos_repair):
    """Two overlapping islands in a bay of the front: only the islands are united (the front is not noded)."""
    bay = shapely.Polygon([(30, 44), (40, 44), (40, 52), (30, 52), (30, 46), (34, 46), (34, 44.5), (30, 44.5)])
    assert bay.is_valid and not bay.intersects(shapely.union_all(_islands(2)))
    geom = shapely.MultiPolygon([bay, *_islands(2)])
    want = _geos([geom])
    no_geos_repair.clear()
    got = make_valid_structure(np.array([geom], dtype=object))
    assert no_geos_repair == []
    _same_ground(got, want)
    assert any(shapely.equals_exact(p, bay, 0) for p in shapely.get_parts(got[0]))


def test_other_invalid_shapes_go_to_geos(no_geos_repair):
    geoms = [BOW_TIE, shapely.MultiPolygon([BOW_TIE, shapely.box(40, 40, 41, 41)]),
             shapely.MultiPolygon([shapely.box(0, 0, 2, 2), shapely.box(2, 0, 4, 2)])]  # parts sharing an edge
    want = _geos(geoms)
    no_geos_repair.clear()
    got = make_valid_structure(np.array(geoms, dtype=object))
    assert no_geos_repair == [2]  # the bow ties; the boxes sharing an edge are united
    assert shapely.equals_exact(got[:2], want[:2], 0).all()
    _same_ground(got, want)


def test_many_parts_use_a_tree():
    parts = [*_islands(repair.PAIRWISE + 10, x0=20.0, step=0.25), *_islands(3, x0=50.0)]
    geom = shapely.MultiPolygon(parts)
    assert not geom.is_valid
    got = make_valid_structure(np.array([geom], dtype=object))
    _same_ground(got, _geos([geom]))


def test_random_overlaps_match_geos():
    rng = np.random.default_rng(3)
    geoms = []
    for _ in range(60):
        k = rng.integers(2, 6)
        centres = rng.uniform(0, 3, (k, 2))
        geoms.append(shapely.MultiPolygon([shapely.Point(*c).buffer(rng.uniform(0.2, 1.0), 8) for c in centres]))
    geoms = [g for g in geoms if not g.is_valid]
    assert len(geoms) > 20
    _same_ground(make_valid_structure(np.array(geoms, dtype=object)), _geos(geoms))
