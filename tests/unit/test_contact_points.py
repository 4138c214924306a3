"""Which address is where to go and which numbers a person can call (domain/contact_points.py), pure."""

from __future__ import annotations

from domain.contact_points import (
    PhoneSource,
    SourcedPhone,
    address_type,
    callable_phones,
    first_of_type,
    ordered_addresses,
)


def _phone(source: PhoneSource, number: str, location: str | None = None, id: str = "") -> SourcedPhone:
    return SourcedPhone(source, location, {"id": id or number, "number": number})


def test_an_address_without_a_type_counts_as_physical_as_in_hsds_exports() -> None:
    assert address_type({"address1": "1 Main St"}) == "physical"
    assert address_type({"addressType": " Postal "}) == "postal"


def test_addresses_come_physical_first_then_postal_then_virtual_by_id_within_a_type() -> None:
    addresses = [{"id": "a", "addressType": "virtual"}, {"id": "b", "addressType": "postal"},
                 {"id": "d", "addressType": "physical"}, {"id": "c", "addressType": "physical"}, None]
    assert [a["id"] for a in ordered_addresses(addresses)] == ["c", "d", "b", "a"]


def test_the_place_to_go_is_never_a_postal_address() -> None:
    assert first_of_type([{"id": "1", "addressType": "postal"}], "physical") is None
    assert first_of_type([{"id": "2", "addressType": "postal"}, {"id": "9"}], "physical") == {"id": "9"}


def test_numbers_come_own_then_per_location_the_service_there_and_the_location_then_the_organization() -> None:
    phones = [_phone(PhoneSource.ORGANIZATION, "1"), _phone(PhoneSource.LOCATION, "2", "loc-b"),
              _phone(PhoneSource.LOCATION, "3", "loc-a"), _phone(PhoneSource.SERVICE_AT_LOCATION, "4", "loc-a"),
              _phone(PhoneSource.SERVICE, "5")]
    assert [p.phone["number"] for p in callable_phones(phones, ["loc-a", "loc-b"])] == ["5", "4", "3", "2", "1"]
    nearest_b = callable_phones(phones, ["loc-a", "loc-b"], nearest_location_id="loc-b")
    assert [p.phone["number"] for p in nearest_b] == ["5", "2", "4", "3", "1"]


def test_a_number_of_a_location_the_caller_may_not_know_of_is_left_out() -> None:
    phones = [_phone(PhoneSource.LOCATION, "2", "loc-hidden"),
              _phone(PhoneSource.SERVICE_AT_LOCATION, "3", "loc-hidden"), _phone(PhoneSource.ORGANIZATION, "1")]
    assert [p.phone["number"] for p in callable_phones(phones, [], nearest_location_id="loc-hidden")] == ["1"]


def test_the_same_number_written_two_ways_is_listed_once_where_it_is_nearest() -> None:
    phones = [_phone(PhoneSource.ORGANIZATION, "(613) 555-0100"), _phone(PhoneSource.LOCATION, "613-555-0100", "loc")]
    assert callable_phones(phones, ["loc"]) == [phones[1]]
    extension = SourcedPhone(PhoneSource.ORGANIZATION, None, {"number": "613 555 0100", "extension": "2"})
    with_extension = [*phones, extension]
    assert len(callable_phones(with_extension, ["loc"])) == 2
