"""A subject's own pages: `/me` (the whole file), its downloads, and objecting to a record.
Everything here is the signed-in subject's own; another's record is a 404 page, as in the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from credo.domain.due_process.objections import Objection, UnknownObjection
from credo.domain.errors import UnknownRecord, UnknownSubject
from credo.domain.ledger.ids import OBJECTION_ID_PATTERN, RECORD_ID_PATTERN
from credo.services.access.keys import Role
from credo.services.due_process.objections import file_objection, objection_by_id
from credo.services.portal.downloads import file_csv, file_json
from credo.services.portal.subject_file import SubjectFile, subject_file
from credo.web.context import Page, PageDep
from credo.web.render import file_body, render, secure
from credo.web.routing import check_csrf, require
from credo.web.routing import router as page_router

router = page_router()
REASON_MAX = 4000


def _file(page: Page) -> SubjectFile:
    ctx = page.state.context
    assert page.viewer is not None
    return subject_file(
        ctx.store,
        ctx.access,
        ctx.portal,
        page.state.rulebook(),
        page.viewer.principal,
        today=ctx.today(),
        files=page.request.app.state.files,
        explained=page.state.explanations,
    )


@router.get("/me")
async def me(page: PageDep) -> Response:
    require(page, Role.SUBJECT)
    assert page.viewer is not None
    try:
        found = await run_in_threadpool(_file, page)
    except UnknownSubject:
        # Their own page: the ledger holding nothing about them is an answer, not an error.
        return render(page, "me_empty.html", twin=None, subject_id=page.viewer.principal)
    return render(
        page,
        "me.html",
        twin=f"/v1/subjects/{found.subject_id}/explanation",
        file=found,
        body=file_body(page.lang, found, page.request.app.state.bodies),
    )


@router.get("/me/file.json")
async def me_json(page: PageDep) -> Response:
    require(page, Role.SUBJECT)
    found = await run_in_threadpool(_file, page)
    return _download(file_json(found), "application/json", f"{found.subject_id}.json")


@router.get("/me/file.csv")
async def me_csv(page: PageDep) -> Response:
    require(page, Role.SUBJECT)
    found = await run_in_threadpool(_file, page)
    return _download(file_csv(found), "text/csv; charset=utf-8", f"{found.subject_id}.csv")


def _download(body: bytes, media_type: str, name: str) -> Response:
    response = Response(body, media_type=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return secure(response)


def _own_record(page: Page, record_id: str) -> SubjectFile:
    found = _file(page)
    if not any(p.ledger.record.record_id == record_id for p in found.records):
        raise UnknownRecord(f"no record {record_id!r} about subject {found.subject_id!r}")
    return found


@router.get("/me/records/{record_id}/objection")
async def objection_form(
    page: PageDep, record_id: Annotated[str, Path(pattern=RECORD_ID_PATTERN)]
) -> Response:
    require(page, Role.SUBJECT)
    found = await run_in_threadpool(_own_record, page, record_id)
    part = next(p for p in found.records if p.ledger.record.record_id == record_id)
    partial = page.request.headers.get("hx-request") == "true"
    return render(
        page,
        "_objection_form.html" if partial else "objection_form.html",
        twin=None,
        part=part,
        file=found,
        error=None,
        reason="",
        evidence="",
    )


@router.post("/me/objections")
async def object_to(
    page: PageDep,
    record_id: Annotated[str, Form(pattern=RECORD_ID_PATTERN)],
    reason: Annotated[str, Form(max_length=REASON_MAX * 2)] = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    require(page, Role.SUBJECT)
    assert page.viewer is not None
    check_csrf(page, csrf)
    reason, evidence = reason.strip(), evidence.strip()
    text = reason + (f"\n\nEvidence: {evidence}" if evidence else "")
    error = None
    if not reason:
        error = "Say why the record is wrong."
    elif len(text) > REASON_MAX:
        error = "The reason and evidence link may hold at most 4,000 characters."
    elif evidence and not evidence.startswith(("https://", "http://")):
        error = "The evidence link is a web address (https://…)."
    if error:
        found = await run_in_threadpool(_own_record, page, record_id)
        part = next(p for p in found.records if p.ledger.record.record_id == record_id)
        return render(
            page,
            "objection_form.html",
            status=422,
            twin=None,
            part=part,
            file=found,
            error=error,
            reason=reason,
            evidence=evidence,
        )
    ctx, state, subject_id = page.state.context, page.state, page.viewer.principal
    filed = await run_in_threadpool(
        lambda: file_objection(
            ctx.store,
            ctx.feeds,
            state.rulebook(),
            subject_id=subject_id,
            record_id=record_id,
            reason=text,
            actor=subject_id,
            today=ctx.today(),
            now=ctx.clock(),
        )
    )
    return RedirectResponse(f"/me/objections/{filed.objection_id}", status_code=303)


def _own_objection(page: Page, objection_id: str) -> tuple[Objection, SubjectFile]:
    found = _file(page)
    try:
        objection: Objection | None = objection_by_id(page.state.context.store, objection_id)
    except UnknownObjection:
        objection = None
    if objection is None or objection.subject_id != found.subject_id:
        # The same answer whether it does not exist or is someone else's.
        raise UnknownObjection(f"no objection {objection_id!r} about you")
    return objection, found


@router.get("/me/objections/{objection_id}")
async def my_objection(
    page: PageDep, objection_id: Annotated[str, Path(pattern=OBJECTION_ID_PATTERN)]
) -> Response:
    require(page, Role.SUBJECT)
    objection, found = await run_in_threadpool(_own_objection, page, objection_id)
    part = next(p for p in found.records if p.ledger.record.record_id == objection.record_id)
    return render(
        page,
        "my_objection.html",
        twin=f"/v1/subjects/{found.subject_id}/objections",
        objection=objection,
        part=part,
        file=found,
    )
