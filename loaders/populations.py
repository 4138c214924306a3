"""The population vocabulary eligibility text is mapped to, and the phrases that signal each group.

One taxonomy, `safety-net-populations`, shared with the demo: where the demo has a group the id,
code and name are the same (`pop-seniors`, `POP.SENIORS`, "Seniors"), so a real load and the demo
tag the same nodes. Real 211 directories name more groups than the demo does, so there are a few
more, modelled on the AIRS "target populations" facet: children, men, pregnant people, people with
mental illness, with substance use problems, with HIV, people in contact with the justice system,
survivors of violence, active military, uninsured people and students.

Decisions a reader needs to know:
- Immigrants, refugees and asylees are `pop-newcomers` (there is no separate immigrant term: a
  resident's navigator asks one question, "new to the country?").
- "Retired military" are veterans; "active duty" service members and their families are military.
- Blind, deaf and intellectually or developmentally disabled people are `pop-disabilities`.
- Boys and girls are children: a gender term says who an adult service is for ("women", "males").
- Ages alone never imply a group: "60 and over" is an age limit, "seniors" a group.

Each phrase is a regular expression fragment, matched case-blind on whole words in text already
lower-cased; what must not count (negations, "their families", "high school seniors") is the
extractor's job (`loaders.eligibility_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

TAXONOMY_ID: Final = "safety-net-populations"
TAXONOMY_NAME: Final = "Safety Net Populations"
TAXONOMY_DESCRIPTION: Final = "Groups of people a service is intended for or restricted to (eligibility)."


@dataclass(frozen=True)
class PopulationTerm:
    id: str
    name: str
    description: str
    phrases: tuple[str, ...]  # regex fragments, lower case

    @property
    def code(self) -> str:
        """`pop-low-income` → `POP.LOW_INCOME`, the demo's code scheme."""
        return "POP." + self.id.removeprefix("pop-").upper().replace("-", "_")


# A client's children or dependants, and the words that may come between "with" and them ("with at
# least one minor child"): the extractor uses these too, to tell a family's children from child clients.
DEPENDANTS: Final = r"(?:child/children|child|children|infants?|newborns?|babies|baby|kids|toddlers?|dependents?)"
DEPENDANT_MODIFIERS: Final = (
    r"(?:(?:a|an|minor|young|younger|dependent|small|school-age|up|to|at|least|one|two|three|or|more|legal|custody|of|"
    r"their)\s+)*"
)

TERMS: Final[tuple[PopulationTerm, ...]] = (
    PopulationTerm("pop-seniors", "Seniors", "Older adults, usually 55 or 65 and over.", (
        r"seniors?", r"senior citizens?", r"elderly", r"elders", r"aged persons",
        r"older (?:adults|persons|people|individuals|americans)",
    )),
    PopulationTerm("pop-youth", "Youth", "Young people, usually 12 to 24.", (
        r"youths?", r"teens?", r"teenagers?", r"adolescents?", r"adolescence", r"juveniles?",
        r"young (?:people|persons|adults|men|women|ladies)",
    )),
    PopulationTerm("pop-children", "Children", "Infants and children, usually under 12 or 13.", (
        r"children", r"child", r"kids", r"infants?", r"toddlers?", r"babies", r"newborns?", r"preschoolers?",
        r"boys?", r"girls?",
    )),
    PopulationTerm("pop-women", "Women", "Women, including trans and non-binary people who are comfortable in a "
                   "women's space.", (
        r"women", r"woman", r"females?", r"mothers?", r"moms?", r"ladies", r"latinas",
    )),
    PopulationTerm("pop-men", "Men", "Men.", (
        r"men", r"males?", r"fathers?", r"dads?",
    )),
    PopulationTerm("pop-pregnant", "Pregnant People", "People who are pregnant or expecting a child.", (
        r"pregnant", r"pregnancy", r"pregnancies", r"expectant", r"expecting",
    )),
    PopulationTerm("pop-families", "Families with Children", "Parents and caregivers with children under 18.", (
        r"families", r"(?:a|any|each|every|one|homeless|low[- ]income) family", r"parents?", r"mothers?", r"fathers?",
        r"households? with " + DEPENDANTS, r"custody of (?:\w+ ){0,3}" + DEPENDANTS,
        r"with " + DEPENDANT_MODIFIERS + DEPENDANTS,
    )),
    PopulationTerm("pop-newcomers", "Newcomers", "Immigrants, refugees and asylum seekers new to the country.", (
        r"immigrants?", r"refugees?", r"asylees?", r"asylum[- ]seekers?", r"newcomers?", r"foreign[- ]born",
        r"new americans", r"conditional entrants?", r"undocumented",
    )),
    PopulationTerm("pop-veterans", "Veterans", "People who served in the armed forces, and their families.", (
        r"veterans?", r"(?:retired|former) (?:military|naval|navy|army|air force|marines?|service ?members)",
        r"military retirees",
    )),
    PopulationTerm("pop-military", "Military", "Active-duty service members and their families.", (
        r"active[- ]duty", r"active military", r"military (?:personnel|members?|famil(?:y|ies)|service ?members)",
        r"service ?members", r"uniformed services?", r"military identification",
    )),
    PopulationTerm("pop-homeless", "People Experiencing Homelessness", "People without stable housing.", (
        r"homeless", r"homelessness", r"unhoused", r"without (?:permanent |stable |a )?(?:housing|home)",
        r"(?:reside|residing|living|live) in (?:transitional housing or )?(?:emergency )?shelters?",
        r"in (?:an )?emergency shelter",
    )),
    PopulationTerm("pop-low-income", "Low Income", "Individuals and households with low income.", (
        r"low[- ]?(?:to[- ]moderate[- ]|-moderate |or no[- ]|and no[- ]|or limited[- ])?[- ]?incomes?",
        r"(?:limited|little|fixed)(?: or no)? incomes?", r"no[- ]income(?!\s+(?:restrictions?|limits?|limitations?|"
        r"requirements?|guidelines|criteria|eligibility|verification))",
        r"income[- ](?:guidelines|eligib\w*|limits?|limitations?|restrictions?|requirements?|criteria|"
        r"qualif\w*|based|tested)", r"(?:based|determined) (?:up)?on income", r"determined by income",
        r"indigen(?:t|ce|cy)", r"poverty", r"financial(?:ly)? (?:need|unable|hardship)", r"(?:unable to|cannot) afford",
        r"exhausted all financial", r"incomes? (?:below|under|less than|not (?:to )?exceed\w*|at or below)",
    )),
    PopulationTerm("pop-uninsured", "Uninsured", "People without health insurance, or with too little.", (
        r"uninsured", r"underinsured", r"without (?:health |medical )?insurance",
        r"(?:limited or )?no (?:health |medical )?insurance",
    )),
    PopulationTerm("pop-indigenous", "Indigenous", "Indigenous peoples: Native American, Alaska Native, First "
                   "Nations, Inuit and Métis people.", (
        r"indigenous", r"native americans?", r"american indians?", r"first nations", r"alaska(?:n)? natives?",
        r"inuit", r"m[ée]tis", r"tribal members?",
    )),
    PopulationTerm("pop-2slgbtq", "2SLGBTQ+", "Two-Spirit, lesbian, gay, bisexual, transgender, queer and other "
                   "people.", (
        r"[2s]*lgbt\w*\+?", r"glbt\w*", r"gay", r"lesbians?", r"bisexual", r"transgender", r"queer", r"two[- ]spirit",
        r"women who partner with women", r"men who have sex with men",
    )),
    PopulationTerm("pop-disabilities", "People with Disabilities", "People living with a physical, intellectual "
                   "or other disability.", (
        r"disab\w*", r"handicap\w*", r"mental(?:ly)? retard\w*", r"intellectual(?:ly)? (?:disab\w*|challenged)",
        r"mentally challenged", r"developmental(?:ly)? (?:delay\w*|disorders?|impair\w*|challenged)",
        r"blind", r"visual(?:ly)? impair\w*", r"low vision", r"deaf\w*", r"hard of hearing", r"hearing impair\w*",
        r"physically (?:impaired|challenged)", r"wheel-?chair", r"special needs", r"autis(?:m|tic)",
    )),
    PopulationTerm("pop-mental-illness", "People with Mental Illness", "People living with a mental illness or "
                   "emotional disturbance.", (
        r"mental(?:ly)? (?:ill\w*|disturb\w*)", r"psychological(?:ly)? (?:ill\w*|disorders?)",
        r"mental (?:health|disorders?|conditions?|issues?|problems?|diagnos\w*)",
        r"psychiatric", r"emotional(?:ly)? (?:disturb\w*|disab\w*|disorders?|problems?|challenges?|troubled|"
        r"handicap\w*|and behavioral\w*)", r"serious emotional", r"dual diagnos\w*", r"schizophren\w*", r"bipolar",
    )),
    PopulationTerm("pop-substance-use", "People with Substance Use Problems", "People who use, or are recovering "
                   "from the use of, alcohol or drugs.", (
        r"(?:drugs?|alcohol|narcotics?|opiates?|opioids?|substances?|chemicals?)"
        r"(?:\s*(?:and/or|and|or|/|&)\s*(?:drugs?|alcohol|narcotics?|substances?))?\s*"
        r"(?:abuse|abused|abusing|abusers?|addictions?|addicted|problems?|issues?|dependen\w*|use disorders?|misuse)",
        r"chemically dependent", r"addict\w*(?! gambl)", r"alcoholi(?:c|cs|sm)", r"stop drinking", r"detox\w*",
        r"substance[- ]use", r"(?:recovering|recovery) from (?:\w+ )?(?:drug|alcohol|substance|addiction)",
    )),
    PopulationTerm("pop-hiv", "People Living with HIV", "People living with HIV or AIDS.", (
        r"hiv", r"hiv/aids", r"hiv\+",
    )),
    PopulationTerm("pop-justice-involved", "People Involved with the Justice System", "People who are charged with, "
                   "convicted of or released after an offence, and young people before the courts.", (
        r"(?:ex-?)?offenders?", r"committed (?:a )?(?:crime|misdemeanor|offense)", r"charged with",
        r"(?:pending|current)(?: adult)? charges", r"inmates?", r"incarcerat\w*", r"prisoners?", r"parolees?",
        r"probationers?", r"defendants?", r"adjudicated", r"delinquen\w*", r"juvenile justice", r"court[- ]involved",
        r"returning citizens", r"re-?entry", r"released from (?:prison|jail|incarceration)",
        r"criminal (?:record|history)",
    )),
    PopulationTerm("pop-survivors", "Survivors of Violence or Crime", "Victims and survivors of domestic or sexual "
                   "violence, abuse, trafficking, torture or crime.", (
        r"victims?", r"survivors?", r"(?<!substance )abused", r"neglected", r"domestic violence",
        r"intimate partner violence",
        r"dating violence", r"sexual (?:assault|violence|abuse)", r"traffick\w*", r"torture", r"incest",
    )),
    PopulationTerm("pop-students", "Students", "People enrolled in a school, college or university.", (
        r"students?", r"high school (?:seniors|juniors|youth)", r"enrolled in (?:\w+ )?(?:school|college|university)",
        r"attending (?:\w+ )?school",
    )),
)
TERMS_BY_ID: Final[dict[str, PopulationTerm]] = {t.id: t for t in TERMS}


def term_pattern(term: PopulationTerm) -> re.Pattern[str]:
    """One regex matching any phrase of the term as whole words."""
    return re.compile(r"(?<![\w-])(?:" + "|".join(term.phrases) + r")(?![\w])")


PATTERNS: Final[dict[str, re.Pattern[str]]] = {t.id: term_pattern(t) for t in TERMS}
