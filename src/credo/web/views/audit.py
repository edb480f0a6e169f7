"""The audit pages: `/verify` (anyone: an attestation pasted, or its QR code uploaded and read
on the server) and the subject's certificate (`/me/certificate`: choose what to disclose, get
the token and its QR code)."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Query, UploadFile
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from credo.adapters.qr_images import read_qr
from credo.domain.audit.attestations import DISCLOSURES, Ask
from credo.domain.errors import BadSignature, CredoError
from credo.services.access.keys import Role
from credo.services.audit.attestations import Standing, issue, qr_svg, verify_online
from credo.web.context import Page, PageDep
from credo.web.render import render
from credo.web.routing import check_csrf, require
from credo.web.routing import router as page_router

router = page_router()
MAX_IMAGE = 4 * 1024 * 1024
MAX_TOKEN = 8192


@router.get("/verify")
def verify_form(page: PageDep) -> Response:
    return render(page, "verify.html", twin="/v1/attestations/verify", result=None, problem=None)


@router.post("/verify")
async def verify_page(
    page: PageDep,
    token: Annotated[str, Form(max_length=MAX_TOKEN)] = "",
    image: Annotated[UploadFile | None, File()] = None,
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    check_csrf(page, csrf)
    problem: str | None = None
    result: Standing | None = None
    text = token.strip()
    try:
        if image is not None and image.filename:
            data = await image.read(MAX_IMAGE + 1)
            if len(data) > MAX_IMAGE:
                raise CredoError("the image is larger than 4 MB")
            text = await run_in_threadpool(read_qr, data)
        if not text:
            raise CredoError("paste a token or choose an image of its QR code")
        result = await run_in_threadpool(_verify, page, text)
    except BadSignature as e:
        problem = e.detail
    except CredoError as e:
        problem = e.detail
    return render(
        page,
        "verify.html",
        status=200 if result else 422,
        twin="/v1/attestations/verify",
        result=result,
        problem=problem,
    )


def _verify(page: Page, token: str) -> Standing:
    ctx = page.state.context
    return verify_online(ctx.store, ctx.signing(), token, now=ctx.clock(), today=ctx.today())


@router.get("/me/certificate")
async def certificate(
    page: PageDep,
    context: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z0-9._-]*$")] = None,
    disclose: Annotated[list[str] | None, Query()] = None,
    valid_days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> Response:
    require(page, Role.SUBJECT)
    assert page.viewer is not None
    chosen = [d for d in disclose or [] if d in DISCLOSURES]
    ctx, subject_id = page.state.context, page.viewer.principal
    contexts = sorted(
        {
            m.context
            for h in page.state.rulebook().packs.values()
            for v in h.versions
            for m in v.pack.measures
        }
    )
    issued = None
    if context is not None or chosen:
        ask = Ask.of(context or None, chosen)
        issued = await run_in_threadpool(
            lambda: issue(
                ctx.store,
                ctx.signing(),
                subject_id,
                ask=ask,
                valid_days=valid_days,
                as_of=ctx.today(),
                now=ctx.clock(),
                issuer=ctx.settings.issuer,
            )
        )
    return render(
        page,
        "certificate.html",
        twin=f"/v1/attestations/{subject_id}",
        contexts=contexts,
        chosen=chosen,
        context=context or "",
        valid_days=valid_days,
        issued=issued,
        qr=Markup(qr_svg(issued.token)) if issued else None,
    )
