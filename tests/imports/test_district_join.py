"""Each point's district equals what geopandas' sjoin (predicate intersects, first match kept) gives, on the
shared boundaries too, where a point touches two or more districts."""

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from app.geo.districts import BUNDLED_DISTRICTS, read_district_features
from app.imports.georef import WGS84, Located, _assign_districts, district_frame


def _by_sjoin(located: list[Located], districts: gpd.GeoDataFrame) -> list[str | None]:
    idx = [i for i, loc in enumerate(located) if loc.lat is not None]
    points = gpd.GeoDataFrame(
        {"i": idx}, geometry=gpd.points_from_xy([located[i].lon for i in idx], [located[i].lat for i in idx]), crs=WGS84
    )
    joined = gpd.sjoin(points, districts[["code", "geometry"]], how="left", predicate="intersects")
    joined = joined[~joined.index.duplicated(keep="first")]
    codes: list[str | None] = [None] * len(located)
    for i, code in zip(joined["i"], joined["code"]):
        codes[int(i)] = None if pd.isna(code) else str(code)
    return codes


def test_districts_are_sjoins_first_match_on_and_off_the_boundaries():
    districts = district_frame(read_district_features(BUNDLED_DISTRICTS))
    rng = np.random.default_rng(13)
    points = [(37.41 + rng.random() * 0.3, 126.76 + rng.random() * 0.44) for _ in range(3000)]
    for polygon in districts.geometry:
        for ring in shapely.get_rings(polygon):
            xy = shapely.get_coordinates(ring)[::7]
            points += [(y, x) for x, y in xy]
            points += [((y1 + y2) / 2, (x1 + x2) / 2) for (x1, y1), (x2, y2) in zip(xy, xy[1:])]
    located = [Located(lat=lat, lon=lon) for lat, lon in points] + [Located(), Located(lat=35.1, lon=129.0)]
    expected = _by_sjoin(located, districts)
    _assign_districts(located, districts)
    assert [loc.district_code for loc in located] == expected
    touching = shapely.STRtree(districts.geometry.values).query(
        shapely.points([lon for _, lon in points], [lat for lat, _ in points]), predicate="intersects"
    )[0]
    assert np.bincount(touching).max() >= 2  # boundary points in two districts: the order decides
    assert expected[-1] is None and expected[-2] is None and expected.count(None) < len(expected) // 2
