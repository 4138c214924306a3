"""The columns of an iCarol/AIRS-style 211 resource export that the loader reads.

One row per record; `TaxonomyLevelName` says which: an Agency (an organization), a Site (one of
its places), a Program (a service) or a ProgramAtSite (a program offered at a site, linked by
`ConnectsToProgramNum`/`ConnectsToSiteNum`). `ParentAgencyNum` names the agency of the others.
Only the first four columns below are required; the rest are read where an export has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from loaders.airs211.csvfile import Column

NUMBER: Final = Column("ResourceAgencyNum")
LEVEL: Final = Column("TaxonomyLevelName")
PARENT: Final = Column("ParentAgencyNum")
NAME: Final = Column("PublicName")
REQUIRED: Final = (NUMBER, LEVEL, PARENT, NAME)

PROGRAM_LINK: Final = Column("ConnectsToProgramNum")
SITE_LINK: Final = Column("ConnectsToSiteNum")
ALTERNATE_NAME: Final = Column("AlternateName")
OFFICIAL_NAME: Final = Column("OfficialName")
DESCRIPTION: Final = Column("AgencyDescription")
EMAIL: Final = Column("EmailAddressMain")
WEBSITE: Final = Column("WebsiteAddress")
STATUS: Final = Column("AgencyStatus")
ELIGIBILITY: Final = Column("Eligibility")
COVERAGE: Final = (Column("CoverageArea"), Column("CoverageAreaText"))
FEES: Final = Column("FeeStructureSource")
APPLICATION: Final = Column("ApplicationProcess")
DOCUMENTS: Final = Column("DocumentsRequired")
LANGUAGES: Final = (Column("LanguagesOffered"), Column("LanguagesOfferedList"))
HOURS: Final = Column("HoursOfOperation")
HOURS_BY_DAY: Final = Column("Hours")  # "Mon 9:00 am - 5:00 pm; Tue …", where HoursOfOperation is empty
WAIT_TIME: Final = Column("NormalWaitTime")
ACCREDITATION: Final = Column("LicenseAccreditation")
TAX_STATUS: Final = Column("IRSStatus")
TAX_ID: Final = Column("FEIN")
YEAR_INCORPORATED: Final = Column("YearIncorporated")
LEGAL_STATUS: Final = Column("LegalStatus")
LAST_VERIFIED: Final = Column("LastVerifiedOn")
UPDATED: Final = Column("UpdatedOn")
LATITUDE: Final = Column("Latitude")
LONGITUDE: Final = Column("Longitude")
LOCATION_DESCRIPTION: Final = Column("PhysicalLocationDescription")
CODES: Final = Column("TaxonomyCodes")
TERM_NAMES: Final = Column("TaxonomyTerm")  # leaf names, "; "-separated, aligned with the codes
TERM_PATHS: Final = Column("TaxonomyTerms")  # names or "Top - Middle - Leaf" paths, aligned with the codes
EXCLUDE_FROM_WEBSITE: Final = Column("ExcludeFromWebsite")
PRIVATE_SUFFIX: Final = "isprivate"  # the key ending of privacy flags (`PhysicalAddressIsPrivate`)
# iCarol cuts long text at 255 characters: a list that long may end in a cut-off entry.
CUT_AT: Final = 255


@dataclass(frozen=True)
class AddressColumns:
    kind: str  # HSDS address_type
    private: Column
    address1: Column
    address2: Column
    city: Column
    region: Column | None
    state: Column
    postal_code: Column
    country: Column
    attention: Column | None = None

    def fields(self) -> tuple[tuple[str, Column], ...]:
        """(Address property, column) pairs."""
        pairs = [("address1", self.address1), ("address2", self.address2), ("city", self.city),
                 ("stateProvince", self.state), ("postalCode", self.postal_code), ("country", self.country)]
        if self.region:
            pairs.append(("region", self.region))
        if self.attention:
            pairs.append(("attention", self.attention))
        return tuple(pairs)


def _address(prefix: str, kind: str, *, county: bool, attention: bool = False) -> AddressColumns:
    return AddressColumns(
        kind, Column(f"{prefix}AddressIsPrivate"), Column(f"{prefix}Address1"), Column(f"{prefix}Address2"),
        Column(f"{prefix}City"), Column(f"{prefix}County") if county else None, Column(f"{prefix}StateProvince"),
        Column(f"{prefix}PostalCode"), Column(f"{prefix}Country"),
        Column(f"{prefix}AttentionName") if attention else None,
    )


PHYSICAL: Final = _address("Physical", "physical", county=True)
MAILING: Final = _address("Mailing", "postal", county=False, attention=True)
# `Other…` address columns are not read: exports do not say what the third address is.


@dataclass(frozen=True)
class PhoneColumns:
    slot: str  # the phone's part of its id
    number: Column
    names: tuple[Column, ...]  # words describing the number, joined into its description
    private: Column
    kind: Column | None = None  # PhoneNType: voice, fax, …
    label: str | None = None  # what the column itself says the number is
    default_type: str | None = None


def _numbered(n: int) -> PhoneColumns:
    return PhoneColumns(str(n), Column(f"Phone{n}Number"), (Column(f"Phone{n}Name"), Column(f"Phone{n}Description")),
                        Column(f"Phone{n}IsPrivate"), Column(f"Phone{n}Type"))


def _named(slot: str, column: str, label: str | None, default_type: str | None = None) -> PhoneColumns:
    return PhoneColumns(slot, Column(column), (Column(f"{column}Description"),), Column(f"{column}IsPrivate"),
                        label=label, default_type=default_type)


PHONES: Final = (
    *(_numbered(n) for n in range(1, 6)),
    _named("fax", "PhoneFax", None, "fax"),
    _named("tty", "PhoneTTY", "TTY", "textphone"),
    _named("tollfree", "PhoneTollFree", "Toll free"),
    _named("hotline", "PhoneNumberHotline", "Hotline"),
    _named("businessline", "PhoneNumberBusinessLine", "Business line"),
    _named("outofarea", "PhoneNumberOutOfArea", "Out of area"),
    _named("afterhours", "PhoneNumberAfterHours", "After hours"),
)


@dataclass(frozen=True)
class ContactColumns:
    role: str
    name: Column
    title: Column
    email: Column
    phone: Column
    private: Column


def _contact(prefix: str) -> ContactColumns:
    return ContactColumns(prefix.lower(), Column(f"{prefix}Name"), Column(f"{prefix}Title"),
                          Column(f"{prefix}EmailAddress"), Column(f"{prefix}PhoneNumber"), Column(f"{prefix}IsPrivate"))


CONTACTS: Final = (_contact("SeniorWorker"), _contact("MainContact"))

# Privacy flags of single values of the record itself: flag -> the properties (on an Organization,
# a Service or a Site's Location) it hides.
VALUE_FLAGS: Final[dict[Column, tuple[str, ...]]] = {
    Column("EmailAddressMainIsPrivate"): ("email",),
    Column("WebsiteAddressIsPrivate"): ("website", "url"),
    Column("AgencyDescriptionIsPrivate"): ("description",),
    Column("EligibilityIsPrivate"): ("eligibilityDescription",),
    Column("FeeStructureSourceIsPrivate"): ("feesDescription",),
    Column("ApplicationProcessIsPrivate"): ("applicationProcess",),
    Column("FEINIsPrivate"): ("taxId",),
}
# Every privacy flag the loader understands (others are reported once, as unknown).
KNOWN_FLAGS: Final = frozenset(
    {PHYSICAL.private.key, MAILING.private.key, Column("OtherAddressIsPrivate").key}
    | {p.private.key for p in PHONES} | {c.private.key for c in CONTACTS} | {f.key for f in VALUE_FLAGS}
)
