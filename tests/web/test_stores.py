"""The portal's stores on every SQL backend: sessions and one-time codes, and the read-only
figures its pages show."""

from __future__ import annotations

from datetime import timedelta

from credo.adapters.stores.feeds import Cursor
from credo.adapters.stores.sessions import LoginCode, WebSession
from credo.domain.ledger.entries import AdminEntry
from credo.domain.ledger.records import record_id_for
from tests.api.conftest import NOW, MakeApi
from tests.api.test_lists import default
from tests.web.conftest import judgment, record

LINK = AdminEntry("login-link", "cli:test", NOW, {"key_id": "k-1", "role": "reviewer"})


def test_sessions_and_codes(make_api: MakeApi, backend: str) -> None:
    sessions = make_api(backend).ctx.sessions
    later = NOW + timedelta(minutes=15)
    sessions.add_session(WebSession("s1", "key-digest", NOW, later))
    held = sessions.session("s1")
    assert held is not None
    assert held.live(NOW)
    assert not held.live(later)
    sessions.end_session("s1", at=NOW)
    ended = sessions.session("s1")
    assert ended is not None
    assert not ended.live(NOW)
    assert sessions.session("nope") is None

    sessions.add_code(LoginCode("c1", "key-digest", NOW, later), audit=LINK)
    assert sessions.use_code("c1", at=NOW) == "key-digest"
    assert sessions.use_code("c1", at=NOW) is None  # once
    sessions.add_code(LoginCode("c2", "key-digest", NOW, later), audit=LINK)
    assert sessions.use_code("c2", at=later) is None  # not at or after its expiry
    sessions.forget_expired(before=later + timedelta(seconds=1))
    assert sessions.session("s1") is None


def test_portal_figures(make_api: MakeApi, backend: str) -> None:
    api = make_api(backend)
    made = api.post_records([judgment("p-1"), record("p-1", ref="TP-1"), default("o-1")])
    assert made.json()["created"] == 3
    assert api.post_records(record("p-2", ref="TP-2")).json()["created"] == 1
    portal = api.ctx.portal
    tiers = portal.tier_counts()
    assert sum(n for (pack, _), n in tiers.items() if pack == "rongcheng") == 2
    assert portal.list_counts(NOW.date())[("rongcheng", "judgment-defaulters")] == 1
    assert portal.list_counts(NOW.date() + timedelta(days=3650)) == {}
    recent = portal.recent_record_ids("traffic-police-rc", limit=2)
    assert len(recent) == 2
    assert recent[0] == record_id_for("traffic-police-rc", "TP-2")  # the latest first
    assert len(portal.recent_record_ids("traffic-police-rc", limit=10)) == 4
    assert portal.recent_record_ids("tax-bureau", limit=10) == []
    counts = portal.entry_counts()
    assert counts["record"] == 4
    assert counts["notice"] >= 2
    assert set(portal.recorded_at("p-1")) == {
        record_id_for("traffic-police-rc", "J-1"),
        record_id_for("traffic-police-rc", "TP-1"),
    }
    assert portal.notices_after(0) == counts["notice"]
    api.ctx.feeds.move_cursor(Cursor("letters", 0, NOW))
    assert [c.channel for c in portal.cursors()] == ["letters"]
