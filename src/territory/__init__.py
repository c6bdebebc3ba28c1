"""Territory: measure, map and check claims about territorial control over time."""

import os as _os

__version__ = "0.1.0"

#: The GDAL 3.12 vector drivers (as bundled with pyogrio 0.13; comma-separated since one name
#: holds a space) that can name another file, a URL, a database or a program, or that
#: Territory never reads. GDAL_SKIP takes effect only when GDAL registers its drivers, i.e. when
#: pyogrio is first imported; this package's first import is the earliest point Territory controls.
#: The list is only the first lock: :func:`territory.io.offline.configure` asks GDAL which drivers
#: it has and unloads every one not on its allow-list (a process that imported pyogrio first, or a
#: newer GDAL's new driver), and :func:`territory.io.offline.check_drivers` refuses every read if
#: any is still loaded.
GDAL_SKIP_DRIVERS = (
    "ADBC,AIVector,AVCBin,AVCE00,AmigoCloud,CSV,CSW,Carto,DGN,DXF,EDIGEO,EEDA,ESRIJSON,Elasticsearch,GDALG,"
    "GML,GPSBabel,GPX,GTFS,GeoJSONSeq,GeoRSS,HTTP,Idrisi,JML,JSONFG,LVBAG,MBTiles,MEM,MVT,MapInfo File,MapML,"
    "MiraMonVector,NGW,OAPIF,ODS,OGCAPI,OGR_GMT,OGR_PDS,OGR_VRT,OSM,OpenFileGDB,PCIDSK,PDF,PDS4,PGDUMP,"
    "PLSCENES,PMTiles,S57,SQLite,SXF,Selafin,TopoJSON,VDV,VFK,VICAR,VRT,WAsP,WFS,XLSX"
)


def _skip_gdal_drivers() -> None:
    """Add :data:`GDAL_SKIP_DRIVERS` to ``GDAL_SKIP`` before any GDAL import can register them."""
    given = _os.environ.get("GDAL_SKIP", "")
    have = [d.strip() for d in given.split("," if "," in given else " ") if d.strip()]
    _os.environ["GDAL_SKIP"] = ",".join(dict.fromkeys(have + GDAL_SKIP_DRIVERS.split(",")))


_skip_gdal_drivers()
