<?xml version="1.0"?>
<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" xmlns:gml="http://www.opengis.net/gml"><gml:featureMember><ogr:x><ogr:actor>Alpha</ogr:actor></ogr:x></gml:featureMember></ogr:FeatureCollection>
