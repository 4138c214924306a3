"""Maple Harbour, Ontario: the fictional mid-size city the demo data describes.

About 400,000 people on the north shore of Lake Ontario (the geography borrows the shape of the
real shoreline near 44.2 N, 76.5 W, but every name, address and phone number is invented).
Ward centres are laid out in kilometres east/north of a south-west origin and converted to
WGS84 degrees, so ward circles never overlap and every point lies inside `CITY_BBOX` and
`CITY_POLYGON`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Final

CITY: Final = "Maple Harbour"
PROVINCE: Final = "ON"
COUNTRY: Final = "CA"
TIMEZONE: Final = "America/Toronto"
UTC_OFFSET: Final = -5  # HSDS 3.0 schedules carry the zone as a UTC offset number
POPULATION: Final = 400_000
DOMAIN: Final = "mapleharbour.example"  # RFC 2606 reserved: nothing here resolves or delivers mail
AREA_URI: Final = f"https://data.{DOMAIN}/areas"

# The origin (south-west corner of the street grid) and degrees per kilometre at this latitude.
_LAT0: Final = 44.228
_LON0: Final = -76.620
_KM_PER_DEG_LAT: Final = 111.0
_KM_PER_DEG_LON: Final = 111.32 * math.cos(math.radians(44.28))

# (min_lon, min_lat, max_lon, max_lat): every generated coordinate lies inside.
CITY_BBOX: Final[tuple[float, float, float, float]] = (-76.62, 44.22, -76.35, 44.36)


def to_lonlat(x_km: float, y_km: float) -> tuple[float, float]:
    """Kilometres east/north of the origin -> (longitude, latitude)."""
    return _LON0 + x_km / _KM_PER_DEG_LON, _LAT0 + y_km / _KM_PER_DEG_LAT


@dataclass(frozen=True)
class Ward:
    key: str
    name: str
    x_km: float
    y_km: float
    radius_km: float
    population: int
    fsa: str  # forward sortation area: the first half of the postal code
    streets: tuple[str, ...]

    @property
    def centre(self) -> tuple[float, float]:
        """(longitude, latitude)."""
        return to_lonlat(self.x_km, self.y_km)

    def polygon(self) -> list[list[float]]:
        """A closed, counter-clockwise ring (GeoJSON order: lon, lat) of 12 vertices on the ward circle."""
        ring: list[list[float]] = []
        for k in range(12):
            a = 2 * math.pi * k / 12
            lon, lat = to_lonlat(self.x_km + self.radius_km * math.cos(a), self.y_km + self.radius_km * math.sin(a))
            ring.append([round(lon, 5), round(lat, 5)])
        ring.append(ring[0])
        return ring

    @property
    def uri(self) -> str:
        return f"{AREA_URI}/ward-{self.key}"


WARDS: Final[tuple[Ward, ...]] = (
    Ward("portsmouth", "Portsmouth Village", 3.0, 2.2, 1.7, 32_000, "K7M",
         ("Yonge Street", "Mowat Avenue", "Trailhead Place", "Baiden Street", "Hatter Street")),
    Ward("lakeshore", "Lakeshore", 7.0, 2.2, 1.7, 38_000, "K7N",
         ("Lakeview Avenue", "Sunnyside Road", "Beach Crescent", "Shoreline Drive", "Heron Court")),
    Ward("harbourfront", "Harbourfront", 11.0, 2.2, 1.7, 45_000, "K7L",
         ("Ontario Street", "Brock Street", "Wellington Street", "Market Square", "Clarence Street",
          "Johnson Street")),
    Ward("eastbank", "Eastbank", 15.5, 2.2, 1.7, 30_000, "K7K",
         ("Gore Road", "Highway 2", "Ravensview Drive", "Point Street", "Old Fort Road")),
    Ward("cedar-point", "Cedar Point", 19.2, 2.4, 1.4, 22_000, "K0H",
         ("Cedar Point Road", "Lakefield Lane", "Cove Drive", "Birch Bay Road")),
    Ward("westbrook", "Westbrook", 3.5, 6.6, 2.0, 42_000, "K7P",
         ("Westbrook Road", "Creekford Road", "Bayridge Drive", "Centennial Drive", "Woodhaven Drive")),
    Ward("cataraqui-heights", "Cataraqui Heights", 8.5, 6.6, 2.0, 48_000, "K7M",
         ("Gardiners Road", "Cataraqui Woods Drive", "Taylor Road", "Midland Avenue", "Cranberry Lane")),
    Ward("harbourview", "Harbourview", 13.5, 6.6, 2.0, 44_000, "K7L",
         ("Division Street", "Concession Street", "Elm Street", "Victoria Street", "Compton Street",
          "Hillview Crescent")),
    Ward("riverside", "Riverside", 18.3, 6.6, 1.9, 36_000, "K7K",
         ("Riverside Drive", "Kirkpatrick Street", "Greenview Drive", "Milan Street", "Mill Pond Road")),
    Ward("glenvale", "Glenvale", 7.0, 11.3, 2.3, 28_000, "K0H",
         ("Sydenham Road", "Unity Road", "Orser Road", "Glenvale Boulevard", "Holden Street")),
    Ward("northgate", "Northgate", 14.0, 11.3, 2.3, 35_000, "K7R",
         ("Montreal Street", "Kingston Mills Road", "Northgate Crescent", "Elliott Avenue", "Dalton Avenue")),
)

# Arterial roads crossing several wards.
ARTERIALS: Final[tuple[str, ...]] = (
    "Princess Street", "King Street West", "King Street East", "Bath Road", "Front Road", "Queen Street",
    "Harbour Road", "Lakeshore Boulevard", "Cataraqui Road", "Portage Avenue", "Frontenac Street",
    "Macdonald Boulevard", "Laurier Avenue", "Dufferin Street", "Champlain Avenue",
)

# City boundary: a convex ring (lon, lat) around every ward circle, within CITY_BBOX.
_CITY_RING_KM: Final[tuple[tuple[float, float], ...]] = (
    (0.4, 0.3), (21.0, 0.3), (21.0, 9.0), (17.5, 14.0), (4.0, 14.0), (0.4, 9.5),
)
CITY_POLYGON: Final[list[list[float]]] = [
    [round(lon, 5), round(lat, 5)] for lon, lat in (to_lonlat(x, y) for x, y in (*_CITY_RING_KM, _CITY_RING_KM[0]))
]
CITY_URI: Final = f"{AREA_URI}/city"


def geojson_polygon(ring: list[list[float]]) -> str:
    """A compact GeoJSON Polygon string for one exterior ring."""
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


# Transit and neighbourhood colour for location descriptions.
TRANSIT: Final = "Maple Harbour Transit"

FIRST_NAMES: Final[tuple[str, ...]] = (
    "Aisha", "Amir", "Ana", "Andrew", "Chloé", "Daniel", "Deepa", "Emily", "Fatima", "Gabriel", "Grace",
    "Hassan", "Isabelle", "Jasmine", "Jean-Luc", "Jennifer", "Kevin", "Laila", "Liam", "Lucas", "Maria",
    "Mei", "Mohammed", "Nadia", "Noah", "Olivia", "Omar", "Priya", "Rajesh", "Sarah", "Simran", "Sophie",
    "Tariq", "Thomas", "Wei", "Yusuf", "Zainab", "Marc", "Nathalie", "Keira", "Tanya", "Michel", "Ayesha",
    "Carlos", "Dmytro", "Olena", "Farah", "Hamza", "Joseph", "Kateri", "Leah", "Megan", "Nkechi", "Paolo",
)
LAST_NAMES: Final[tuple[str, ...]] = (
    "Anderson", "Bouchard", "Campbell", "Chen", "Côté", "Das", "Fraser", "Gagnon", "Ghosh", "Hassan",
    "Ibrahim", "Kaur", "Khan", "Lee", "MacDonald", "Martin", "Morrison", "Nguyen", "Patel", "Pelletier",
    "Roy", "Santos", "Singh", "Smith", "Tremblay", "Wang", "Williams", "Wong", "Yousef", "Ali",
    "Sutherland", "Okafor", "Mensah", "Cardinal", "Bondarenko", "Reyes", "Ferreira", "Abdi", "Haddad",
    "Thompson", "Leblanc", "Kowalski", "Brant", "Hill", "Sharma", "O'Neill",
)

# Postal-code letters: Canada Post never uses D, F, I, O, Q or U.
POSTAL_LETTERS: Final = "ABCEGHJKLMNPRSTVWXYZ"
