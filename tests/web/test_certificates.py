"""The certificate on `/me` and `/verify`: a subject chooses what to disclose and gets a token
and its QR code; anyone pastes the token, or uploads the QR code's PNG, and reads the verdict."""

from __future__ import annotations

import io
import re

import segno

from tests.web.conftest import Portal, csrf_of, judgment, record

TOKEN = re.compile(r'data-testid="token">([^<]+)</textarea>')


def _certificate(portal: Portal, **params: object) -> str:
    page = portal.get("subject_a", "/me/certificate", params=params)
    assert page.status_code == 200, page.text
    found = TOKEN.search(page.text)
    assert found, "no token on the page"
    assert "<svg" in page.text
    return found.group(1)


def test_me_offers_the_certificate(portal: Portal) -> None:
    portal.api.post_records(record("p-1", ref="TP-1"))
    me = portal.get("subject_a", "/me")
    assert 'href="/me/certificate"' in me.text
    chooser = portal.get("subject_a", "/me/certificate")
    assert "rail.high-speed-ticket" in chooser.text
    assert 'data-testid="token"' not in chooser.text  # nothing issued until asked


def test_a_pasted_token_verifies_and_later_is_superseded(portal: Portal) -> None:
    portal.api.post_records(record("p-1", ref="TP-1"))
    token = _certificate(portal, context="rail.high-speed-ticket")
    holds = portal.post(None, "/verify", {"token": token})
    assert holds.status_code == 200
    assert "it still holds today" in holds.text
    assert "allowed" in holds.text
    portal.api.post_records(judgment("p-1"))  # on the list: denied high-speed rail
    later = portal.post(None, "/verify", {"token": token})
    assert "superseded since" in later.text
    forged = portal.post(None, "/verify", {"token": token[:-4] + "AAAA"})
    assert forged.status_code == 422
    assert "Not valid" in forged.text


def test_an_uploaded_qr_code_is_read_on_the_server(portal: Portal) -> None:
    portal.api.post_records(record("p-1", ref="TP-1"))
    token = _certificate(portal, disclose="tier")
    png = io.BytesIO()
    segno.make(token, error="l").save(png, kind="png", scale=5, border=4)
    client = portal.browser(None)
    answer = client.post(
        "/verify",
        data={"csrf": csrf_of(client), "token": ""},
        files={"image": ("qr.png", png.getvalue(), "image/png")},
    )
    assert answer.status_code == 200, answer.text
    assert "it still holds today" in answer.text
    not_png = client.post(
        "/verify",
        data={"csrf": csrf_of(client)},
        files={"image": ("qr.jpg", b"\xff\xd8\xff", "image/jpeg")},
    )
    assert not_png.status_code == 422
    assert "not a PNG image" in not_png.text
