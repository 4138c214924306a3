"""The HSDS 3.0 REST API over real HTTP (uvicorn, the real app, the demo city on each engine: `module_engine`):
every filter checked against a brute force over the same graph (plain reads, Python set logic and haversine),
paging totals and the last page, roles (a staff-only service and a confidential location are marked in this
module's own graph), CORS, errors, and the app's OpenAPI document. Response bodies are validated against the
official HSDS 3.0 schemas when the shared data is present."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import ApiSettings
from graph.engine import GraphEngine
from tests.conftest import SHARED_DATA
from tests.e2e.server import LiveServer, load_demo, serving, staff_keys

EARTH_RADIUS_M = 6371.0088 * 1000
HIDDEN_SERVICE_MARK = ["*"]  # graph.schema.model.STAFF_ONLY_RECORD: the whole record is for staff
CONFIDENTIAL_MARK = ["address"]  # graph.schema.model.CONFIDENTIAL_MARK: a shelter's address


# ---------------------------------------------------------------- fixtures: the demo city, brute-force facts


@dataclass(frozen=True)
class City:
    """What the brute force knows, read with plain scans of the graph the server serves."""

    services: dict[str, dict[str, Any]]  # id -> properties
    organization_of: dict[str, str]  # service id -> organization id
    tags: dict[str, set[str]]  # service id -> term ids it is TAGGED with
    broader: dict[str, str]  # term id -> parent term id
    term_taxonomy: dict[str, str]  # term id -> taxonomy id
    sites: dict[str, tuple[str, str | None]]  # service at location id -> (service id, location id)
    locations: dict[str, dict[str, Any]]  # id -> properties
    postcodes: dict[str, set[str]]  # location id -> its (non-postal) addresses' postcodes
    hidden_service: str
    confidential_location: str

    def narrower_or_same(self, term: str) -> set[str]:
        out = {term}
        changed = True
        while changed:
            more = {child for child, parent in self.broader.items() if parent in out} - out
            out |= more
            changed = bool(more)
        return out

    def public_services(self) -> set[str]:
        return set(self.services) - {self.hidden_service}

    def public_sites(self) -> set[str]:
        return {x for x, (s, loc) in self.sites.items()
                if s != self.hidden_service and loc != self.confidential_location}


@dataclass(frozen=True)
class Api:
    live: LiveServer
    city: City
    staff_key: str

    def get(self, path: str, *, key: str | None = None, **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        with self.live.client() as client:
            return client.get(f"/hsds{path}", params=params, headers=headers)

    def all(self, path: str, *, key: str | None = None, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list, by format=ndjson."""
        response = self.get(path, key=key, format="ndjson", **params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/x-ndjson")
        return [json.loads(line) for line in response.text.splitlines() if line]

    def ids(self, path: str, *, key: str | None = None, **params: Any) -> list[str]:
        return [r["id"] for r in self.all(path, key=key, **params)]


def _read_city(db: GraphEngine) -> City:
    services = {r["id"]: r["p"] for r in db.read("MATCH (s:Service) RETURN s.id AS id, properties(s) AS p")}
    organization_of = {r["s"]: r["o"] for r in db.read(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service) RETURN s.id AS s, o.id AS o")}
    tags: dict[str, set[str]] = {}
    for r in db.read("MATCH (s:Service)-[:TAGGED]->(t:TaxonomyTerm) RETURN s.id AS s, t.id AS t"):
        tags.setdefault(r["s"], set()).add(r["t"])
    broader = {r["c"]: r["p"] for r in db.read(
        "MATCH (c:TaxonomyTerm)-[:BROADER]->(p:TaxonomyTerm) RETURN c.id AS c, p.id AS p")}
    term_taxonomy = {r["t"]: r["x"] for r in db.read(
        "MATCH (t:TaxonomyTerm)-[:IN_TAXONOMY]->(x:Taxonomy) RETURN t.id AS t, x.id AS x")}
    sites = {r["x"]: (r["s"], r["l"]) for r in db.read(
        "MATCH (s:Service)-[:DELIVERED_AT]->(x:ServiceAtLocation) OPTIONAL MATCH (x)-[:AT]->(l:Location) "
        "RETURN x.id AS x, s.id AS s, l.id AS l")}
    locations = {r["id"]: r["p"] for r in db.read("MATCH (l:Location) RETURN l.id AS id, properties(l) AS p")}
    postcodes: dict[str, set[str]] = {}
    for r in db.read("MATCH (l:Location)-[:HAS_ADDRESS]->(a:Address) WHERE a.addressType <> 'postal' "
                     "RETURN l.id AS l, a.postalCode AS pc"):
        if r["pc"]:
            postcodes.setdefault(r["l"], set()).add("".join(r["pc"].split()).upper())
    # one service every public list must hide, and one located location whose sites the public must not see
    hidden = sorted(s for s in services if s in organization_of and tags.get(s))[0]
    located = sorted(lid for lid, p in locations.items() if p.get("latitude") is not None
                     and sum(1 for _, loc in sites.values() if loc == lid) >= 1 and lid in postcodes)
    confidential = located[len(located) // 2]
    db.write("MATCH (s:Service {id: $id}) SET s.staffOnly = $mark", {"id": hidden, "mark": HIDDEN_SERVICE_MARK})
    db.write("MATCH (l:Location {id: $id}) SET l.staffOnly = $mark", {"id": confidential, "mark": CONFIDENTIAL_MARK})
    return City(services, organization_of, tags, broader, term_taxonomy, sites, locations, postcodes,
                hidden, confidential)


@pytest.fixture(scope="module")
def api(module_engine: GraphEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    root = tmp_path_factory.mktemp("hsds-rest")
    store, staff_key = staff_keys(root)
    db = load_demo(module_engine, root / "demo-data", services=120)
    city = _read_city(db)
    # the graph walk on every request: tests/e2e/test_hsds_snapshots.py holds the ready-made documents equal to it
    app = create_app(ApiSettings(hsds_snapshots=False), engine=db, key_store=store)
    with serving(app) as live:
        yield Api(live, city, staff_key)


def haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin(math.radians(b[1] - a[1]) / 2) ** 2)
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# ---------------------------------------------------------------- the API root and the OpenAPI document


def test_the_root_names_the_hsds_version_and_the_apps_own_openapi_document(api: Api) -> None:
    body = api.get("/").json()
    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    with api.live.client() as client:
        spec = client.get(body["openapi_url"]).json()
    paths = {p for p in spec["paths"] if p.startswith("/hsds")}
    assert paths == {"/hsds/", "/hsds/services", "/hsds/services/{id}", "/hsds/organizations",
                     "/hsds/organizations/{id}", "/hsds/taxonomies", "/hsds/taxonomies/{id}", "/hsds/taxonomy_terms",
                     "/hsds/taxonomy_terms/{id}", "/hsds/service_at_locations", "/hsds/service_at_locations/{id}"}
    services = spec["paths"]["/hsds/services"]["get"]
    assert {p["name"] for p in services["parameters"]} == {
        "search", "taxonomy_term_id", "taxonomy_id", "organization_id", "modified_after", "minimal", "full", "page",
        "per_page", "format"}
    assert set(services["responses"]["200"]["content"]) == {"application/json", "application/x-ndjson"}
    page = spec["components"]["schemas"]["Page_Service_"]
    assert {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty",
            "contents"} <= set(page["properties"])
    sites = spec["paths"]["/hsds/service_at_locations"]["get"]
    assert {"postcode", "proximity"} <= {p["name"] for p in sites["parameters"]}
    assert "404" in spec["paths"]["/hsds/services/{id}"]["get"]["responses"]


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize("per_page", [1, 7, 50])
def test_pages_cover_every_public_service_once_with_consistent_totals(api: Api, per_page: int) -> None:
    expected = api.city.public_services()
    total_pages = math.ceil(len(expected) / per_page)
    seen: list[str] = []
    page = 1
    while True:
        body = api.get("/services", page=page, per_page=per_page).json()
        assert body["total_items"] == len(expected)
        assert body["total_pages"] == total_pages
        assert body["page_number"] == page and body["first_page"] == (page == 1)
        assert body["size"] == len(body["contents"]) == (per_page if page < total_pages
                                                          else len(expected) - per_page * (total_pages - 1))
        assert body["last_page"] == (page == total_pages) and not body["empty"]
        seen += [s["id"] for s in body["contents"]]
        if body["last_page"]:
            break
        page += 1
    assert page == total_pages
    assert seen == sorted(expected)  # each once, by id


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_ndjson_streams_every_public_service_once_in_order_whatever_the_batch(
        api: Api, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.hsds import pages

    monkeypatch.setattr(pages, "STREAM_BATCH", batch)  # batches are written as one chunk each
    response = api.get("/services", format="ndjson", full="true")
    assert response.text.endswith("\n") and "\n\n" not in response.text
    assert [json.loads(line)["id"] for line in response.text.splitlines()] == sorted(api.city.public_services())


def test_a_page_past_the_last_is_empty_and_says_so(api: Api) -> None:
    body = api.get("/services", page=1000, per_page=50).json()
    assert body["contents"] == [] and body["empty"] and body["last_page"] and not body["first_page"]
    assert body["size"] == 0 and body["total_items"] == len(api.city.public_services())


def test_a_filtered_last_page_holds_the_remainder(api: Api) -> None:
    term = max(api.city.broader.values(), key=lambda t: sum(1 for tags in api.city.tags.values()
                                                              if tags & api.city.narrower_or_same(t)))
    everything = api.ids("/services", taxonomy_term_id=term)
    per_page = 3
    last = math.ceil(len(everything) / per_page)
    body = api.get("/services", taxonomy_term_id=term, per_page=per_page, page=last).json()
    assert body["last_page"] and body["total_pages"] == last and body["total_items"] == len(everything)
    assert [s["id"] for s in body["contents"]] == everything[(last - 1) * per_page:]


def test_a_filtered_page_far_past_the_end_is_empty_and_still_counts_everything(api: Api) -> None:
    term = next(iter(api.city.broader.values()))
    everything = api.ids("/services", taxonomy_term_id=term)
    body = api.get("/services", taxonomy_term_id=term, per_page=50, page=10**8).json()
    assert body["contents"] == [] and body["empty"] and body["total_items"] == len(everything) > 0


# ---------------------------------------------------------------- filters against brute force


def _tagged_services(city: City, term: str) -> set[str]:
    wanted = city.narrower_or_same(term)
    return {s for s, tags in city.tags.items() if tags & wanted} & city.public_services()


def test_taxonomy_term_id_matches_the_term_and_every_narrower_term(api: Api) -> None:
    city = api.city
    terms = sorted({t for tags in city.tags.values() for t in tags} | set(city.broader.values()))
    assert any(t in city.broader.values() for t in terms)  # some terms have narrower ones
    for term in terms:
        assert set(api.ids("/services", taxonomy_term_id=term)) == _tagged_services(city, term), term


def test_an_unknown_term_matches_nothing(api: Api) -> None:
    body = api.get("/services", taxonomy_term_id="no-such-term").json()
    assert body["total_items"] == 0 and body["empty"] and body["total_pages"] == 0 and body["last_page"]


def test_taxonomy_id_matches_services_tagged_with_any_term_of_the_taxonomy(api: Api) -> None:
    city = api.city
    for taxonomy in sorted(set(city.term_taxonomy.values())):
        terms = {t for t, x in city.term_taxonomy.items() if x == taxonomy}
        expected = {s for s, tags in city.tags.items() if tags & terms} & city.public_services()
        assert set(api.ids("/services", taxonomy_id=taxonomy)) == expected, taxonomy


def test_organization_id_matches_the_services_it_provides(api: Api) -> None:
    city = api.city
    for org in sorted(set(city.organization_of.values()))[:15]:
        expected = {s for s, o in city.organization_of.items() if o == org} & city.public_services()
        assert set(api.ids("/services", organization_id=org)) == expected, org


def test_modified_after_keeps_services_modified_on_or_after_the_instant(api: Api) -> None:
    city = api.city
    moments = sorted(_instant(p["lastModified"]) for s, p in city.services.items() if p.get("lastModified"))
    for cut in (moments[0], moments[len(moments) // 2], moments[-1]):
        expected = {s for s, p in city.services.items()
                    if p.get("lastModified") and _instant(p["lastModified"]) >= cut} & city.public_services()
        assert set(api.ids("/services", modified_after=cut.isoformat())) == expected
    assert api.ids("/services", modified_after="2999-01-01") == []


def test_filters_combine_with_and(api: Api) -> None:
    city = api.city
    term = max(city.broader.values(), key=lambda t: len(_tagged_services(city, t)))
    tagged = _tagged_services(city, term)
    org = max({city.organization_of[s] for s in tagged if s in city.organization_of},
              key=lambda o: sum(1 for s in tagged if city.organization_of.get(s) == o))
    moments = sorted(_instant(city.services[s]["lastModified"]) for s in tagged)
    cut = moments[len(moments) // 2]
    expected = {s for s in tagged if city.organization_of.get(s) == org
                and _instant(city.services[s]["lastModified"]) >= cut}
    got = api.ids("/services", taxonomy_term_id=term, organization_id=org, modified_after=cut.isoformat())
    assert set(got) == expected and got == sorted(got)


def test_search_finds_every_service_naming_the_word_and_only_services_naming_its_stem(api: Api) -> None:
    city = api.city
    for word, stem in (("food", "food"), ("counselling", "counsel"), ("housing", "hous")):
        exact = {s for s, p in city.services.items()
                 if word in f"{p.get('name', '')} {p.get('description', '')}".lower().replace("-", " ").split()}
        got = set(api.ids("/services", search=word))
        assert exact & city.public_services() <= got, word
        for s in got:
            p = city.services[s]
            assert stem in f"{p.get('name', '')} {p.get('description', '')}".lower(), (word, s)
        assert city.hidden_service not in got


def test_minimal_gives_every_service_id_and_modified_date_in_one_page(api: Api) -> None:
    body = api.get("/services", minimal="true").json()
    assert body["total_pages"] == 1 and body["last_page"]
    expected = {s: api.city.services[s]["lastModified"] for s in api.city.public_services()}
    assert {r["id"]: r["modified_date"] for r in body["contents"]} == expected


# ---------------------------------------------------------------- services at location: place filters


def _sites_at(city: City, locations: set[str]) -> set[str]:
    return {x for x in city.public_sites() if city.sites[x][1] in locations}


def test_proximity_from_a_point_keeps_sites_within_that_many_metres(api: Api) -> None:
    city = api.city
    located = {lid: (float(p["latitude"]), float(p["longitude"])) for lid, p in city.locations.items()
               if p.get("latitude") is not None}
    centre = located[sorted(located)[0]]
    for meters in (250.0, 1500.0, 4000.0):
        near = {lid for lid, at in located.items() if haversine_m(centre, at) <= meters}
        got = api.ids("/service_at_locations", postcode=f"{centre[0]},{centre[1]}", proximity=str(meters))
        assert set(got) == _sites_at(city, near), meters
        assert got  # the centre's own sites at least
    # the confidential location is not found by distance, even from its own door (public); staff find it
    secret = located[city.confidential_location]
    point = f"{secret[0]},{secret[1]}"
    public = set(api.ids("/service_at_locations", postcode=point, proximity="1"))
    staff = set(api.ids("/service_at_locations", key=api.staff_key, postcode=point, proximity="1"))
    hidden_sites = {x for x, (_, loc) in city.sites.items() if loc == city.confidential_location}
    assert hidden_sites and not public & hidden_sites and hidden_sites <= staff


def test_postcode_matches_sites_at_locations_with_that_postcode(api: Api) -> None:
    city = api.city
    codes = sorted({c for cs in city.postcodes.values() for c in cs})
    for code in codes[:10]:
        at = {lid for lid, cs in city.postcodes.items() if code in cs}
        spaced = code[:3] + " " + code[3:].lower()  # case and spaces do not matter
        assert set(api.ids("/service_at_locations", postcode=spaced)) == _sites_at(city, at), code


def test_postcode_with_proximity_measures_from_the_postcodes_centroid(api: Api) -> None:
    city = api.city
    by_code: dict[str, list[tuple[float, float]]] = {}
    for lid, cs in city.postcodes.items():
        p = city.locations[lid]
        if p.get("latitude") is not None and lid != city.confidential_location:
            for c in cs:
                by_code.setdefault(c, []).append((float(p["latitude"]), float(p["longitude"])))
    code = max(by_code, key=lambda c: len(by_code[c]))
    points = by_code[code]
    centroid = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    near = {lid for lid, p in city.locations.items() if p.get("latitude") is not None
            and haversine_m(centroid, (float(p["latitude"]), float(p["longitude"]))) <= 2000}
    assert set(api.ids("/service_at_locations", postcode=code, proximity="2000")) == _sites_at(city, near)


def test_site_filters_by_term_and_organization_follow_the_service(api: Api) -> None:
    city = api.city
    term = max(city.broader.values(), key=lambda t: len(_tagged_services(city, t)))
    tagged = _tagged_services(city, term)
    assert set(api.ids("/service_at_locations", taxonomy_term_id=term)) == {
        x for x in city.public_sites() if city.sites[x][0] in tagged}
    org = city.organization_of[sorted(tagged)[0]]
    assert set(api.ids("/service_at_locations", organization_id=org, taxonomy_term_id=term)) == {
        x for x in city.public_sites()
        if city.sites[x][0] in tagged and city.organization_of.get(city.sites[x][0]) == org}


def test_every_public_site_is_listed_and_the_hidden_ones_only_for_staff(api: Api) -> None:
    city = api.city
    assert set(api.ids("/service_at_locations")) == city.public_sites()
    assert set(api.ids("/service_at_locations", key=api.staff_key)) == set(city.sites)


# ---------------------------------------------------------------- taxonomy terms, organizations, taxonomies


def test_taxonomy_terms_top_only_parent_id_and_taxonomy_id(api: Api) -> None:
    city = api.city
    every = set(api.ids("/taxonomy_terms"))
    assert every >= set(city.term_taxonomy)
    assert set(api.ids("/taxonomy_terms", top_only="true")) == every - set(city.broader)
    parent = sorted(set(city.broader.values()))[0]
    children = api.all("/taxonomy_terms", parent_id=parent)
    assert {t["id"] for t in children} == {c for c, p in city.broader.items() if p == parent}
    assert all(t["parent_id"] == parent for t in children)
    taxonomy = sorted(set(city.term_taxonomy.values()))[0]
    assert set(api.ids("/taxonomy_terms", taxonomy_id=taxonomy, top_only="true")) == {
        t for t, x in city.term_taxonomy.items() if x == taxonomy and t not in city.broader}


def test_organizations_and_taxonomies_list_and_fetch_by_id(api: Api) -> None:
    orgs = api.ids("/organizations")
    assert set(orgs) == set(api.city.organization_of.values()) | set(orgs) and orgs == sorted(orgs)
    org = api.city.organization_of[sorted(api.city.public_services())[0]]
    full = api.get(f"/organizations/{org}", full_service="true").json()
    assert full["id"] == org and full["services"] and all("service_at_locations" in s for s in full["services"])
    taxonomies = api.all("/taxonomies")
    assert {t["id"] for t in taxonomies} == set(api.city.term_taxonomy.values())
    assert api.get(f"/taxonomies/{taxonomies[0]['id']}").json() == taxonomies[0]
    assert api.ids("/taxonomies", search=taxonomies[0]["name"].split()[-1].upper())


# ---------------------------------------------------------------- roles, CORS, errors


def test_a_staff_only_service_is_hidden_from_the_public_and_shown_to_staff(api: Api) -> None:
    hidden = api.city.hidden_service
    assert hidden not in api.ids("/services")
    assert hidden in api.ids("/services", key=api.staff_key)
    gone = api.get(f"/services/{hidden}")
    assert gone.status_code == 404 and hidden in gone.json()["detail"]
    assert api.get(f"/services/{hidden}", key=api.staff_key).json()["id"] == hidden
    assert api.get("/services", key=api.staff_key).json()["total_items"] == len(api.city.services)


def test_public_responses_allow_any_origin_and_keyed_ones_do_not(api: Api) -> None:
    assert api.get("/services", per_page=1).headers["access-control-allow-origin"] == "*"
    assert api.get("/services/nope").headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in api.get("/services", key=api.staff_key, per_page=1).headers
    with api.live.client() as client:
        preflight = client.options("/hsds/services", headers={
            "Origin": "https://directory.example", "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" not in preflight.headers.get("access-control-allow-headers", "").lower()


def test_a_bad_key_is_refused_with_401_saying_what_to_do(api: Api) -> None:
    response = api.get("/services", key="sng_" + "x" * 43)
    assert response.status_code == 401 and "unknown or revoked key" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/services/{}", "/organizations/{}", "/taxonomies/{}", "/taxonomy_terms/{}",
                                  "/service_at_locations/{}"])
def test_an_unknown_id_is_404_naming_it(api: Api, path: str) -> None:
    response = api.get(path.format("no-such-id"))
    assert response.status_code == 404
    assert "'no-such-id'" in response.json()["detail"]


@pytest.mark.parametrize(("path", "params", "field", "says"), [
    ("/services", {"page": "0"}, "page", "greater than or equal to 1"),
    ("/services", {"per_page": "501"}, "per_page", "between 1 and 500"),
    ("/services", {"format": "xml"}, "format", "'json' or 'ndjson'"),
    ("/services", {"modified_after": "last tuesday"}, "modified_after", "ISO 8601"),
    ("/services", {"search": "!!!"}, "search", "no words"),
    ("/service_at_locations", {"proximity": "1000"}, "proximity", "needs postcode"),
    ("/service_at_locations", {"postcode": "44.2,-76.5"}, "proximity", "needs proximity"),
    ("/service_at_locations", {"postcode": "44.2,-76.5", "proximity": "-3"}, "proximity", "> 0"),
    ("/service_at_locations", {"postcode": "95.0,-76.5", "proximity": "10"}, "postcode", "latitude in [-90, 90]"),
    ("/service_at_locations", {"postcode": "ZZ9 9ZZ", "proximity": "10"}, "postcode", "send the point as lat,lng"),
    # a NUL character (found by schemathesis: the graph refuses it, which was a 500)
    ("/services", {"taxonomy_term_id": "a\x00b"}, "taxonomy_term_id", "match pattern"),
    ("/service_at_locations", {"organization_id": "a\x00b"}, "organization_id", "match pattern"),
    ("/taxonomy_terms", {"parent_id": "a\x00b"}, "parent_id", "match pattern"),
    ("/services/a%00b", {}, "id", "match pattern"),
])
def test_a_bad_parameter_is_422_naming_it_and_what_to_send(api: Api, path: str, params: dict[str, str], field: str,
                                                          says: str) -> None:
    response = api.get(path, **params)
    assert response.status_code == 422, response.text
    problems = response.json()["detail"]
    assert any(p["loc"][-1] == field and says in p["msg"] for p in problems), problems


# ---------------------------------------------------------------- HSDS schemas


@pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"needs the HSDS schemas under {SHARED_DATA}")
def test_responses_validate_against_the_hsds_schemas(api: Api) -> None:
    from tests.hsds_schema import errors

    city = api.city
    service = sorted(city.public_services())[0]
    site = sorted(city.public_sites())[0]
    term = sorted(city.broader)[0]
    checks: list[tuple[Any, str]] = [
        (api.get(f"/services/{service}").json(), "service.json"),
        (api.get(f"/service_at_locations/{site}").json(), "service_at_location.json"),
        (api.get(f"/organizations/{city.organization_of[service]}").json(), "organization.json"),
        (api.get(f"/taxonomy_terms/{term}").json(), "taxonomy_term.json"),
    ]
    for path, schema, params in (("/services", "service.json", {}), ("/services", "service.json", {"full": "true"}),
                                 ("/organizations", "organization.json", {}),
                                 ("/taxonomies", "taxonomy.json", {}), ("/taxonomy_terms", "taxonomy_term.json", {}),
                                 ("/service_at_locations", "service_at_location.json", {})):
        body = api.get(path, per_page=20, **params).json()
        checks += [(item, schema) for item in body["contents"]]
    problems = [f"{schema} {obj.get('id')}: {e}" for obj, schema in checks for e in errors(obj, schema)]
    assert problems == []
