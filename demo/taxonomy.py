"""The demo's three taxonomies: a two-level needs taxonomy, populations (eligibility) and sectors.

Term ids are stable and readable (`need-food`, `need-food-bank`, `pop-seniors`, `sector-police`);
codes are dotted (`FOOD`, `FOOD.BANK`, `POP.SENIORS`, `SECTOR.POLICE`) and unique across all three.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from demo.city import DOMAIN

TAXONOMY_URI: Final = f"https://data.{DOMAIN}/taxonomy"


@dataclass(frozen=True)
class Taxonomy:
    id: str
    name: str
    description: str
    slug: str

    @property
    def uri(self) -> str:
        return f"{TAXONOMY_URI}/{self.slug}"


NEEDS: Final = Taxonomy(
    "safety-net-needs", "Safety Net Needs",
    "What a person is looking for help with: twelve broad needs, each with more specific needs beneath it.",
    "needs",
)
POPULATIONS: Final = Taxonomy(
    "safety-net-populations", "Safety Net Populations",
    "Groups of people a service is intended for or restricted to (eligibility).",
    "populations",
)
SECTORS: Final = Taxonomy(
    "safety-net-sectors", "Safety Net Sectors",
    "The field an organization works in.",
    "sectors",
)
TAXONOMIES: Final[tuple[Taxonomy, ...]] = (NEEDS, POPULATIONS, SECTORS)
VERSION: Final = "2026.1"


@dataclass(frozen=True)
class Term:
    id: str
    code: str
    name: str
    description: str
    taxonomy: Taxonomy
    parent_id: str = ""

    @property
    def uri(self) -> str:
        return f"{self.taxonomy.uri}/{self.id}"


# (slug, code, name, description, children: (slug, code, name, description))
_NEED_TREE: Final[tuple[tuple[str, str, str, str, tuple[tuple[str, str, str, str], ...]], ...]] = (
    ("food", "FOOD", "Food", "Help getting enough healthy food.", (
        ("bank", "BANK", "Food Bank", "Free groceries and emergency food hampers."),
        ("meals", "MEALS", "Meals", "Free or low-cost prepared meals."),
        ("delivery", "DELIVERY", "Food Delivery", "Groceries or meals delivered to the home."),
    )),
    ("housing", "HOUSING", "Housing", "A safe place to stay and help keeping a home.", (
        ("shelter", "SHELTER", "Emergency Shelter", "Overnight or short-term emergency accommodation."),
        ("rent-assistance", "RENT", "Rent Assistance", "Help paying rent or arrears to prevent eviction."),
        ("supportive", "SUPPORTIVE", "Supportive Housing", "Long-term housing with on-site support."),
        ("search", "SEARCH", "Housing Search", "Help finding and applying for housing."),
    )),
    ("health", "HEALTH", "Health", "Physical health care.", (
        ("primary-care", "PRIMARY", "Primary Care", "Doctors, nurse practitioners and walk-in clinics."),
        ("dental", "DENTAL", "Dental Care", "Free or low-cost dental care."),
        ("sexual-health", "SEXUAL", "Sexual Health", "Testing, contraception and sexual health education."),
        ("harm-reduction", "HARM_REDUCTION", "Harm Reduction", "Supplies, naloxone and safer-use services."),
    )),
    ("mental-health", "MENTAL_HEALTH", "Mental Health", "Support for mental health and substance use.", (
        ("counselling", "COUNSELLING", "Counselling", "Individual, family and group counselling."),
        ("crisis-counselling", "CRISIS", "Crisis Counselling", "Immediate support for people in distress."),
        ("addiction-treatment", "ADDICTION", "Addiction Treatment", "Withdrawal management and treatment."),
        ("peer-support", "PEER", "Peer Support", "Support from people with lived experience."),
    )),
    ("crisis", "CRISIS", "Crisis", "Urgent help, any time of day.", (
        ("line", "LINE", "Crisis Line", "A telephone, text or chat line for people in crisis."),
        ("mobile", "MOBILE", "Mobile Crisis Response", "Crisis workers who come to the person."),
        ("suicide-prevention", "SUICIDE", "Suicide Prevention", "Support for people thinking about suicide."),
    )),
    ("legal", "LEGAL", "Legal", "Legal information, advice and representation.", (
        ("aid", "AID", "Legal Aid and Advice", "Free legal advice and representation."),
        ("tenant-rights", "TENANT", "Tenant Rights", "Help with landlord and tenant problems."),
        ("immigration", "IMMIGRATION", "Immigration Legal Help", "Refugee and immigration legal services."),
        ("id-clinic", "ID", "Identification Clinic", "Help replacing lost or stolen identification."),
    )),
    ("income", "INCOME", "Income", "Money for basic needs.", (
        ("tax-clinic", "TAX", "Tax Clinic", "Free help filing income tax returns."),
        ("benefits", "BENEFITS", "Benefits Navigation", "Help applying for government benefits."),
        ("emergency-aid", "EMERGENCY", "Emergency Financial Aid", "One-time help with an urgent cost."),
    )),
    ("employment", "EMPLOYMENT", "Employment", "Finding and keeping work.", (
        ("job-search", "JOB_SEARCH", "Job Search", "Job boards, résumés and interview practice."),
        ("training", "TRAINING", "Skills Training", "Courses, certificates and apprenticeships."),
        ("youth", "YOUTH", "Youth Employment", "Job programs for young people."),
    )),
    ("safety", "SAFETY", "Safety", "Protection from violence and crime.", (
        ("victim-services", "VICTIM", "Victim Services", "Support for victims and witnesses of crime."),
        ("family-violence", "FAMILY_VIOLENCE", "Family Violence Support",
         "Shelter, counselling and safety planning for people experiencing abuse."),
        ("community-safety", "COMMUNITY", "Community Safety", "Community policing and neighbourhood safety."),
    )),
    ("newcomer", "NEWCOMER", "Newcomer Settlement", "Settling in Canada.", (
        ("settlement", "SETTLEMENT", "Settlement Services", "Orientation, forms and referrals for newcomers."),
        ("language-classes", "LANGUAGE", "Language Classes", "English and French classes for adults."),
        ("interpretation", "INTERPRETATION", "Interpretation and Translation", "Interpreters and translation."),
    )),
    ("youth", "YOUTH", "Youth", "Programs for children and young people.", (
        ("drop-in", "DROP_IN", "Youth Drop-in", "Safe spaces and recreation for young people."),
        ("mentoring", "MENTORING", "Mentoring", "One-to-one and group mentoring."),
        ("shelter", "SHELTER", "Youth Shelter", "Emergency shelter for young people."),
    )),
    ("seniors", "SENIORS", "Seniors", "Support for older adults.", (
        ("home-care", "HOME_CARE", "Home Care", "Personal support and help at home."),
        ("day-programs", "DAY_PROGRAMS", "Adult Day Programs", "Supervised day programs for older adults."),
        ("transportation", "TRANSPORTATION", "Seniors Transportation", "Rides to appointments and errands."),
        ("social", "SOCIAL", "Social and Recreation", "Activities that reduce isolation."),
    )),
)


def _need_terms() -> tuple[Term, ...]:
    out: list[Term] = []
    for slug, code, name, description, children in _NEED_TREE:
        parent = Term(f"need-{slug}", code, name, description, NEEDS)
        out.append(parent)
        for c_slug, c_code, c_name, c_description in children:
            out.append(Term(f"{parent.id}-{c_slug}", f"{code}.{c_code}", c_name, c_description, NEEDS, parent.id))
    return tuple(out)


NEED_TERMS: Final[tuple[Term, ...]] = _need_terms()
TOP_NEEDS: Final[tuple[str, ...]] = tuple(t.id for t in NEED_TERMS if not t.parent_id)

# (slug, name, description, phrase used in eligibility text)
_POPULATIONS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("seniors", "Seniors", "Older adults, usually 55 or 65 and over.", "seniors"),
    ("youth", "Youth", "Young people, usually 12 to 24.", "youth"),
    ("women", "Women", "Women, including trans and non-binary people who are comfortable in a women's space.",
     "women"),
    ("newcomers", "Newcomers", "Permanent residents, refugees and refugee claimants new to Canada.",
     "newcomers to Canada (permanent residents, refugees and refugee claimants)"),
    ("veterans", "Veterans", "Veterans of the Canadian Armed Forces and RCMP, and their families.",
     "veterans and their families"),
    ("homeless", "People Experiencing Homelessness", "People without stable housing.",
     "people experiencing homelessness"),
    ("low-income", "Low Income", "Individuals and households with low income.",
     "individuals and families with low income"),
    ("indigenous", "Indigenous", "First Nations, Inuit and Métis people.",
     "First Nations, Inuit and Métis people"),
    ("2slgbtq", "2SLGBTQ+", "Two-Spirit, lesbian, gay, bisexual, transgender, queer and other people.",
     "2SLGBTQ+ people"),
    ("families", "Families with Children", "Parents and caregivers with children under 18.",
     "families with children"),
    ("disabilities", "People with Disabilities", "People living with a physical, intellectual or other disability.",
     "people with disabilities"),
)
POPULATION_TERMS: Final[tuple[Term, ...]] = tuple(
    Term(f"pop-{slug}", f"POP.{slug.upper().replace('-', '_')}", name, description, POPULATIONS)
    for slug, name, description, _ in _POPULATIONS
)
POPULATION_PHRASES: Final[dict[str, str]] = {f"pop-{slug}": phrase for slug, _, _, phrase in _POPULATIONS}

# (slug, name, description)
_SECTORS: Final[tuple[tuple[str, str, str], ...]] = (
    ("police", "Police and Community Safety", "Police services, victim services and community safety."),
    ("health", "Health", "Community health centres, clinics and public health."),
    ("mental-health", "Mental Health", "Counselling, peer support and mental health crisis services."),
    ("housing", "Housing and Shelter", "Shelters, housing help and supportive housing."),
    ("food", "Food Security", "Food banks, meal programs and food delivery."),
    ("legal", "Legal Services", "Legal clinics, tenant advocacy and identification clinics."),
    ("youth", "Youth Services", "Programs and drop-ins for children and young people."),
    ("seniors", "Seniors Services", "Home support, day programs and activities for older adults."),
    ("newcomers", "Newcomer Services", "Settlement, language and interpretation services."),
    ("crisis", "Crisis Lines", "Telephone, text and chat lines open around the clock."),
    ("income", "Income Support", "Social assistance, benefits help and tax clinics."),
    ("employment", "Employment", "Employment services, job search and training."),
    ("addiction", "Addiction and Substance Use", "Treatment, withdrawal management and harm reduction."),
    ("family-violence", "Family Violence", "Shelters and support for people experiencing abuse."),
)
SECTOR_TERMS: Final[tuple[Term, ...]] = tuple(
    Term(f"sector-{slug}", f"SECTOR.{slug.upper().replace('-', '_')}", name, description, SECTORS)
    for slug, name, description in _SECTORS
)

ALL_TERMS: Final[tuple[Term, ...]] = (*NEED_TERMS, *POPULATION_TERMS, *SECTOR_TERMS)
TERMS_BY_ID: Final[dict[str, Term]] = {t.id: t for t in ALL_TERMS}


def top_need(term_id: str) -> str:
    """The top-level need a need term belongs to (itself when it is top level)."""
    term = TERMS_BY_ID[term_id]
    return term.parent_id or term.id
