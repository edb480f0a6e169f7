"""The grounds credo does not rate (SPEC §5), and the words that name them.

A term is a word (`vote`), a word stem (`politic*` matches politics, political, politician)
or words in a row (`trade union*`). Terms match whole words of ids, names and descriptions,
split on anything that is not a letter: `post` matches `post` and `posts` but not `postal`,
and `union` alone matches nothing, since a union of two record types is no trade union.
`NOT_GROUNDS` holds phrases that use a listed word in another sense; their words are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from credo.domain.rules.conditions import Path


@dataclass(frozen=True, slots=True)
class Ground:
    name: str
    reason: str  # completes "refused: ..."
    terms: tuple[str, ...]


RELATIONSHIPS = Ground(
    "relationships",
    "a record affects only its own subject: credo does not rate anyone "
    "through their family, friends, partners or associates",
    (
        "family", "families", "familial", "relative", "relatives", "kin", "kinship",
        "spouse", "spouses", "husband", "husbands", "wife", "wives", "marriage*", "married",
        "marital", "unmarried", "divorc*", "fiance*", "fiancé*", "boyfriend*", "girlfriend*",
        "friend", "friends", "friendship*", "partner", "partners", "associate", "associates",
        "acquaintance*", "affiliate", "affiliates", "sibling*", "cousin*", "neighbour",
        "neighbours", "neighbor", "neighbors", "colleague*", "classmate*", "cohabit*",
        "father in law", "mother in law", "son in law", "daughter in law", "brother in law",
        "sister in law", "parents in law",
    ),
)  # fmt: skip

GROUNDS: tuple[Ground, ...] = (
    Ground(
        "politics",
        "credo does not rate political opinion or activity",
        (
            "politic*", "election*", "elector*", "vote", "votes", "voted", "voting", "voter*",
            "ballot*", "referendum*", "dissident*", "dissent*", "subversi*", "sedition*",
            "seditious", "separatis*", "activis*", "patriot*", "unpatriotic", "ideolog*",
            "party member*", "opposition party",
        ),
    ),
    Ground(
        "protest",
        "credo does not rate taking part in protest",
        (
            "protest", "protests", "protested", "protester*", "protestor*", "protesting",
            "demonstration*", "demonstrator*",
        ),
    ),
    Ground(
        "petitions",
        "credo does not rate petitioning the authorities",
        ("petition*", "xinfang", "shangfang", "letters and visits"),
    ),
    Ground(
        "religion",
        "credo does not rate religion or belief",
        (
            "religio*", "belief", "beliefs", "believer*", "worship*", "pray*",
            "church*", "mosque*", "temple*", "synagogue*", "monaster*", "pagoda*", "shrine*",
            "clergy", "priest*", "imam*", "monk", "monks", "nun", "nuns", "pastor", "pastors",
            "christian*", "catholic*", "protestant*", "muslim*", "islam*", "buddhis*",
            "hindu*", "jewish", "judais*", "sikh*", "taois*", "daois*", "falun*", "atheis*",
            "sect", "sects", "sectarian*", "cult", "cults", "heres*", "heretic*", "bible*",
            "quran*", "koran*", "scripture*", "baptis*", "sermon*", "missionar*", "evangel*",
            "pilgrim*", "ramadan", "hijab*", "spiritual*",
        ),
    ),
    Ground(
        "ethnicity",
        "credo does not rate ethnicity or race",
        (
            "ethnic*", "race", "races", "racial*", "racis*", "caste", "castes", "tribe",
            "tribes", "tribal", "uyghur*", "uighur*", "tibetan*", "national origin*",
            "skin colour*", "skin color*",
        ),
    ),
    Ground(
        "trade union",
        "credo does not rate trade-union membership or activity",
        (
            "trade union*", "labour union*", "labor union*", "union member*", "union dues",
            "union activit*", "union organi*", "union leader*", "unionis*", "unioniz*",
            "collective bargaining",
        ),
    ),
    Ground(
        "health",
        "credo does not rate health",
        (
            "health*", "medical*", "disease*", "diagnos*", "illness*", "sick", "sickness*",
            "mental*", "psychiatr*", "psycholog*", "psychotherap*", "disabilit*", "disabled",
            "handicap*", "pregnan*", "vaccin*", "quarantin*", "epidemic*", "pandemic*",
            "covid*", "hiv", "cancer*", "addict*", "alcoholism", "obes*", "infect*",
        ),
    ),
    Ground(
        "biometrics",
        "credo does not rate biometric data",
        (
            "biometric*", "facial*", "faceprint*", "face recognition", "face scan*",
            "face image*", "face data", "face id", "fingerprint*", "palmprint*", "iris",
            "irises", "retina*", "dna", "genetic*", "genom*", "voiceprint*", "gait",
        ),
    ),
    Ground(
        "sexual life",
        "credo does not rate sexual life or orientation",
        (
            "sex", "sexual*", "sexes", "lgbt*", "gay", "gays", "lesbian*", "queer",
            "homosexual*", "heterosexual*", "bisexual*", "transgender*", "transsexual*",
            "adultery", "adulterous",
        ),
    ),
    Ground(
        "speech",
        "credo does not rate speech or online content",
        (
            "speech*", "online", "internet", "post", "posts", "posted", "posting*", "blog*",
            "vlog*", "comment*", "rumor*", "rumour*", "misinformation", "disinformation",
            "weibo", "wechat", "douyin", "tiktok", "twitter", "tweet*", "facebook",
            "chatroom*", "netizen*", "censor*", "criticis*", "criticiz*",
            "social media", "social network*",
        ),
    ),
    RELATIONSHIPS,
)  # fmt: skip

# Phrases where a listed word means something else. Each one is a judgement a reviewer can
# check: none of them names a ground.
NOT_GROUNDS: tuple[str, ...] = (
    # relationships
    "relative to",
    # ethnicity
    "street race", "drag race",
    # petitions: filings in court, not pleas to the authorities
    "bankruptcy petition*", "insolvency petition*", "winding up petition*",
    # health: conduct about products, places and workplaces, not anyone's health
    "health and safety", "occupational health", "health product*", "health food*",
    "health supplement*", "medical device*", "medical waste", "vaccine safety",
    "vaccine quality", "vaccine product*", "vaccine manufactur*", "disabled parking",
    "disabled space*", "disabled bay*", "handicap* parking",
    # speech: trade and credit that happen to be online, and the other senses of "post"
    "online loan*", "online lending", "online shop*", "online store*", "online payment*",
    "post office", "post dated", "post dating", "post judgment", "post judgement",
)  # fmt: skip

# Keys that would keep data from its subject.
COVERT_TERMS: tuple[str, ...] = (
    "hidden", "hide", "secret*", "covert*", "confidential*", "undisclosed", "conceal*",
    "invisible", "unseen",
)  # fmt: skip
# Keys that are covert when set to false.
VISIBILITY_TERMS: tuple[str, ...] = ("visible", "visibility", "disclosed", "shown", "show*")

# Field names that point at a subject other than the record's own.
SUBJECT_POINTER_TERMS: tuple[str, ...] = (
    "subject*", "person id*", "persons id*", "personid*", "citizen id*", "resident id*",
    "individual id*", "people id*", "other person*", "other people", "related person*",
)  # fmt: skip


def words(text: str) -> str:
    """`text` as lowercase words of letters, one space apart, which is what terms match."""
    return " ".join(re.findall(r"[^\W\d_]+", text.lower()))


def grounds_named(text: str) -> Iterator[tuple[Ground, list[str]]]:
    """Each ground that `text` names, with the words that name it."""
    said = words(text)
    skip = [m.span() for m in _NOT_GROUNDS.finditer(said)]
    for ground, pattern in _GROUNDS:
        found = [
            m.group()
            for m in pattern.finditer(said)
            if not any(start < m.end() and m.start() < end for start, end in skip)
        ]
        if found:
            yield ground, list(dict.fromkeys(found))


def names_any(text: str, terms: tuple[str, ...]) -> str | None:
    """The first words of `text` that one of `terms` matches, if any."""
    found = _pattern(terms).search(words(text))
    return found.group() if found else None


def grounds_in(data: Mapping[str, object]) -> Iterator[tuple[Path, str, Ground, list[str]]]:
    """Each ground a pack's plain content names: where, in what kind of text, and with which
    words. Ids, names, titles, descriptions, enum values and tested values are read; `basis`
    is not, since the law a rule rests on may well name what it protects."""
    for path, what, text in _texts(data, ()):
        for ground, found in grounds_named(text):
            yield path, what, ground, found


_WHAT = {
    "pack": "pack id",
    "id": "id",
    "name": "tier name",
    "context": "measure context",
    "title": "title",
    "description": "description",
}


def _texts(node: object, path: Path) -> Iterator[tuple[Path, str, str]]:
    """Every id, name, description and tested value of a pack, with where it is."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _texts(item, (*path, i))
    key_kind = _names_kinds(path)
    for key, value in _entries(node).items():
        here = (*path, key)
        if key_kind:
            yield here, key_kind, str(key)
        if isinstance(value, str) and key in _WHAT:
            yield here, _WHAT[str(key)], value
        elif key == "enum" and isinstance(value, list):
            yield from (
                ((*here, i), "enum value", v) for i, v in enumerate(value) if isinstance(v, str)
            )
        elif key == "when" and path[:1] in (("rules",), ("lists",)):
            yield from ((p, "tested value", v) for p, v in _strings(value, here))
        yield from _texts(value, here)


def _names_kinds(path: Path) -> str | None:
    if path == ("record_types",):
        return "record type name"
    if len(path) == 3 and path[0] == "record_types" and path[2] == "fields":
        return "field name"
    if len(path) == 3 and path[0] == "measures" and path[2] == "terms":
        return "term name"
    return None


def _strings(node: object, path: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _strings(item, (*path, i))
    else:
        for key, value in _entries(node).items():
            yield from _strings(value, (*path, key))


def _entries(node: object) -> Mapping[Any, object]:
    return node if isinstance(node, dict) else {}


@lru_cache(maxsize=16)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One regular expression for `terms`, matching whole words of `words(text)`."""
    alternatives = (
        " ".join(re.escape(w.rstrip("*")) + ("[^ ]*" if w.endswith("*") else "") for w in t.split())
        for t in terms
    )
    return re.compile(r"(?<![^ ])(?:" + "|".join(alternatives) + r")(?![^ ])")


_NOT_GROUNDS = _pattern(NOT_GROUNDS)
_GROUNDS = tuple((g, _pattern(g.terms)) for g in GROUNDS)
