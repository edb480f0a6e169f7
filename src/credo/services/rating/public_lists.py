"""Published lists: the organisations on a public list today, a page at a time.

Lists that hold persons are never published (SPEC §5): a list is published only when a pack in
force for organisations declares it `public: true`; anything else is answered as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credo.adapters.stores.listings import ListingStore, ListQuery
from credo.domain.errors import CredoError
from credo.domain.rules.rulebook import Rulebook

PUBLISHED_KIND = "organisation"


class UnknownList(CredoError):
    status = 404
    title = "Not found"


@dataclass(frozen=True, slots=True)
class PublishedList:
    list_id: str
    kind: str
    basis: str
    description: str | None
    packs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Period:
    since: date
    until: date


@dataclass(frozen=True, slots=True)
class ListedOrganisation:
    subject_id: str
    region: str
    periods: tuple[Period, ...]


@dataclass(frozen=True, slots=True)
class ListPage:
    published: PublishedList
    as_of: date
    items: tuple[ListedOrganisation, ...]
    next: str | None


def published(rulebook: Rulebook, list_id: str, *, today: date) -> PublishedList:
    found = []
    for history in rulebook.packs.values():
        version = history.in_force(today)
        if version is None or PUBLISHED_KIND not in version.pack.subject_kinds:
            continue
        compiled = version.lists.get(list_id)
        if compiled is not None and compiled.spec.public:
            found.append((history.id, compiled.spec))
    if not found:
        raise UnknownList(f"no published list {list_id!r}")
    spec = found[0][1]
    return PublishedList(
        list_id, spec.kind, spec.basis, spec.description, tuple(pid for pid, _ in found)
    )


def list_page(
    listings: ListingStore,
    rulebook: Rulebook,
    list_id: str,
    *,
    today: date,
    query: str | None = None,
    after: str | None = None,
    limit: int = 100,
) -> ListPage:
    """Organisations on the list today, in id order after `after`, whose id contains `query`.
    `next` is the cursor for the following page, None on the last one."""
    lst = published(rulebook, list_id, today=today)
    items: list[ListedOrganisation] = []
    cursor = after
    while len(items) < limit:
        batch = listings.listed(ListQuery(list_id, lst.packs, PUBLISHED_KIND, query, cursor, limit))
        for listed in batch:
            periods = tuple(
                Period(m.since, m.until) for m in listed.marks if m.since <= today < m.until
            )
            if periods:
                items.append(ListedOrganisation(listed.subject_id, listed.region, periods))
                if len(items) == limit:
                    break
        if len(batch) < limit:
            break
        cursor = batch[-1].subject_id
    more = len(items) == limit
    return ListPage(lst, today, tuple(items), items[-1].subject_id if more else None)
