"""Announcements in the staff console: the three languages side by side with a preview of each
as Telegram shows it, the audience with its counts, a test to myself, send now, later or in
each one's working hours; then the progress and Stop. The same broadcast service as /broadcast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup, escape

from bot.broadcasts import AudienceKind, Problem, parse_local_time
from bot.broadcasts.attachments import DOCUMENT_MAX_BYTES, Refusal, Refused
from bot.broadcasts.composer import CompositionCheck, compose, send_test, with_caption
from bot.broadcasts.service import CAPTION_LIMIT
from bot.config import SUPPORTED_LANGUAGES
from bot.console.site import ConsoleContext, ConsoleSite
from bot.delivery.text import utf16_len, visible_length
from bot.forms import StepRefused
from bot.geography import COUNTRIES, COUNTRIES_BY_CODE, OTHER_COUNTRY
from bot.i18n import N_, Translator
from handlers.broadcast_views import audience_label, status_label, version_language
from storage.announcement_files import AnnouncementFile
from storage.models import Broadcast

_NUMBER = re.compile(r"^[0-9]{1,18}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
# The largest file Telegram takes from a bot, and the rest of the form around it (three texts
# of at most 10,000 characters).
MAX_POST_BYTES = DOCUMENT_MAX_BYTES + 256 * 1024
# Telegram's formatting tags, shown in the preview as Telegram shows them; anything else in a
# version is shown as the text it is.
_SIMPLE_TAGS = re.compile(
    r"&lt;(/?)(b|strong|i|em|u|ins|s|strike|del|code|pre|blockquote|tg-spoiler)&gt;"
)
_LINK = re.compile(r"&lt;a href=&#34;(https?://[^&\s]+)&#34;&gt;(.*?)&lt;/a&gt;", re.S)


def telegram_preview(html: str) -> Markup:
    """A version as Telegram shows it: its formatting tags and links, everything else text."""
    escaped = str(escape(html))
    escaped = _LINK.sub(r'<a href="\1" rel="noopener noreferrer" target="_blank">\2</a>', escaped)
    return Markup(_SIMPLE_TAGS.sub(r"<\1\2>", escaped).replace("\n", "<br>"))


@dataclass(frozen=True)
class VersionPreview:
    code: str
    name: str
    text: str
    html: Markup
    length: int  # what Telegram counts: UTF-16 units of the text shown
    raw_length: int
    # With a file: True if the text is its caption, False if it follows as a second message.
    as_caption: bool = True


@dataclass(frozen=True)
class Composition:
    versions: dict[str, str]
    audience: dict[str, Any]
    when: str
    working_hours: bool
    file: AnnouncementFile | None = None


def read_composition(form: Mapping[str, Any]) -> Composition:
    versions = {
        code: text
        for code in SUPPORTED_LANGUAGES
        if isinstance(text := form.get(f"text_{code}", ""), str) and text.strip()
    }
    kind = form.get("audience", AudienceKind.FOCAL_POINTS.value)
    values: list[str] = []
    if kind == AudienceKind.COUNTRIES.value:
        values = [code for code in COUNTRIES_BY_CODE if form.get(f"country_{code}")]
    elif kind == AudienceKind.LANGUAGES.value:
        values = [code for code in SUPPORTED_LANGUAGES if form.get(f"language_{code}")]
    when = form.get("when", "")
    return Composition(
        versions,
        {"kind": kind if isinstance(kind, str) else "", "values": values},
        when if isinstance(when, str) else "",
        bool(form.get("working_hours")),
    )


def previews(
    t: Translator, versions: Mapping[str, str], *, with_file: bool = False
) -> list[VersionPreview]:
    return [
        VersionPreview(
            code,
            version_language(t, code),
            versions[code],
            telegram_preview(versions[code]),
            visible_length(versions[code]),
            utf16_len(versions[code]),
            with_caption(versions[code]) if with_file else True,
        )
        for code in SUPPORTED_LANGUAGES
        if code in versions
    ]


def problem_text(t: Translator, problem: Problem, limit: int | None) -> str:
    if problem is Problem.TOO_LONG:
        return str(
            t.ngettext(
                "Too long: Telegram takes at most {count} character here.",
                "Too long: Telegram takes at most {count} characters here.",
                limit or 0,
            )
        )
    if problem is Problem.EMPTY:
        return t.label("Write the announcement in at least one language.")
    if problem is Problem.NO_RECIPIENTS:
        return t.label("Nobody is in this audience.")
    if problem in (Problem.BAD_TIME, Problem.PAST_TIME):
        return t.label("Choose a date and time to come, or send it now.")
    return t.label("Choose who gets it.")


async def _counts(console: ConsoleContext, audience: dict[str, Any]) -> dict[str, Any]:
    t = console.t
    counts = await console.services.broadcasts.counts(audience)
    return {
        "total": counts.total,
        "languages": [
            (version_language(t, code), counts.by_language[code])
            for code in SUPPORTED_LANGUAGES
            if code in counts.by_language
        ],
        "countries": [
            (
                t.label(COUNTRIES_BY_CODE[code].name)
                if code in COUNTRIES_BY_CODE
                else t.label("Not a focal point"),
                count,
            )
            for code, count in sorted(counts.by_country.items(), key=lambda item: item[0] or "~")
        ],
    }


async def composer(
    console: ConsoleContext,
    composition: Composition | None = None,
    *,
    problems: list[str] | None = None,
    notice: str | None = None,
    status: int = HTTPStatus.OK,
) -> web.StreamResponse:
    t = console.t
    composition = composition or Composition({}, {"kind": "fp", "values": []}, "", False)
    recent = await console.services.broadcasts.recent()
    return console.render(
        "announcements.html",
        status=status,
        composition=composition,
        previews=previews(t, composition.versions, with_file=composition.file is not None),
        caption_limit=CAPTION_LIMIT,
        file=composition.file,
        file_size=_size(t, composition.file),
        languages=[(code, version_language(t, code)) for code in SUPPORTED_LANGUAGES],
        countries=[(c.code, t.label(c.name)) for c in COUNTRIES if c.code != OTHER_COUNTRY],
        counts=await _counts(console, composition.audience)
        if not _audience_problem(composition)
        else None,
        problems=problems or [],
        notice=notice,
        recent=[
            (
                broadcast,
                status_label(t, broadcast.status),
                audience_label(t, broadcast.audience),
                summary,
            )
            for broadcast, summary in recent
        ],
        time_zone=t.time_zone_name(console.time_zone),
    )


def _audience_problem(composition: Composition) -> bool:
    kind = composition.audience.get("kind")
    return kind in (AudienceKind.COUNTRIES.value, AudienceKind.LANGUAGES.value) and not (
        composition.audience.get("values")
    )


async def show_composer(console: ConsoleContext) -> web.StreamResponse:
    return await composer(console)


def _problems(t: Translator, check: CompositionCheck) -> list[str]:
    found = [
        t.label(
            "{language}: {problem}",
            language=version_language(t, code),
            problem=problem_text(t, problem, limit),
        )
        for code, (problem, limit) in check.versions.items()
    ]
    if check.audience is not None:
        found.append(problem_text(t, check.audience, None))
    return found


async def act(console: ConsoleContext) -> web.StreamResponse:
    """Preview, send a test to myself, or send (now, at a time, in working hours); a file
    chosen with any of them is checked and kept first."""
    form = await console.form()
    composition = read_composition(form)
    action = form.get("action", "preview")
    t = console.t
    file = await _attached_file(console, form)
    if isinstance(file, Refused):
        kept = await _kept_file(console, form)
        return await composer(
            console,
            replace(composition, file=kept),
            problems=[refusal_text(t, file, _chosen_name(form))],
            status=HTTPStatus.BAD_REQUEST,
        )
    composition = replace(composition, file=file)
    if action == "preview":
        return await composer(console, composition)
    broadcasts = console.services.broadcasts
    attachment = _attachment(file)
    check = await compose(
        broadcasts, console.user_id, composition.versions, composition.audience, attachment
    )
    if not check.ok:
        return await composer(
            console,
            composition,
            problems=_problems(t, check),
            status=HTTPStatus.BAD_REQUEST,
        )
    if action == "test":
        data = {"versions": composition.versions, "attachment": attachment}
        sent = [
            code
            for code in composition.versions
            if await send_test(broadcasts, console.user_id, code, data)
        ]
        await console.audit("announcement.test", ",".join(sent))
        composition = replace(composition, file=await _kept_file(console, form, file))
        notice = t.ngettext(
            "{count} test message was sent to you in Telegram.",
            "{count} test messages were sent to you in Telegram.",
            len(sent),
        )
        return await composer(console, composition, notice=str(notice))
    at = None
    if action == "schedule":
        at = parse_local_time(composition.when.replace("T", " "), console.time_zone)
        if at is None or at <= console.services.clock.now():
            return await composer(
                console,
                composition,
                problems=[problem_text(t, Problem.PAST_TIME, None)],
                status=HTTPStatus.BAD_REQUEST,
            )
    try:
        result = await broadcasts.submit(
            console.user_id, at=at, working_hours=composition.working_hours
        )
    except StepRefused as refused:
        outcome = refused.outcome
        problem = outcome.problem if isinstance(outcome.problem, Problem) else Problem.EMPTY
        return await composer(
            console,
            composition,
            problems=[problem_text(t, problem, outcome.limit)],
            status=HTTPStatus.BAD_REQUEST,
        )
    await console.audit("announcement.send", _subject(result))
    return console.see_other(f"/announcements/{result.id}")


def _subject(broadcast: Broadcast) -> str:
    hours = " working-hours" if broadcast.working_hours else ""
    attached = f" +{broadcast.attachment_kind}" if broadcast.attachment_kind else ""
    return f"#{broadcast.id} {broadcast.audience.get('kind')}{hours}{attached}"


# -- the attached file -------------------------------------------------------------------------


def _attachment(file: AnnouncementFile | None) -> dict[str, Any] | None:
    """The draft's attachment: sent by file_id once Telegram has it, else uploaded."""
    if file is None:
        return None
    return {"kind": file.kind, "file_id": file.file_id, "upload": file.token}


def _chosen_name(form: Mapping[str, Any]) -> str:
    field = form.get("file")
    return str(getattr(field, "filename", "") or "")


async def _kept_file(
    console: ConsoleContext, form: Mapping[str, Any], fallback: AnnouncementFile | None = None
) -> AnnouncementFile | None:
    """The file chosen earlier (its token in the form), if it is this staff member's and not
    sent yet; read again, so a file_id a test obtained is seen."""
    token = form.get("file_token")
    if form.get("remove_file") or not isinstance(token, str) or not _TOKEN.match(token):
        return fallback
    store = console.services.broadcasts.attachments
    file = await store.get(token) if store is not None else None
    if file is None or file.owner_id != console.user_id or file.broadcast_id is not None:
        return fallback
    return file


async def _attached_file(
    console: ConsoleContext, form: Mapping[str, Any]
) -> AnnouncementFile | Refused | None:
    """A file chosen now (checked and kept), else the one chosen before, else none."""
    field = form.get("file")
    store = console.services.broadcasts.attachments
    if not isinstance(field, web.FileField) or not field.filename or store is None:
        return await _kept_file(console, form)
    content = field.file.read()
    staged = await store.stage(console.user_id, field.filename, content)
    if isinstance(staged, Refused):
        await console.audit("announcement.file_refused", f"{staged.reason.value} {len(content)}")
        return staged
    await console.audit(
        "announcement.file", f"{staged.kind} {staged.size} {staged.mime_type} {staged.token[:8]}"
    )
    return staged


def refusal_text(t: Translator, refused: Refused, name: str) -> str:
    if refused.reason is Refusal.EMPTY:
        return t.label("{name} is empty.", name=name)
    if refused.reason is Refusal.TOO_LARGE:
        return str(
            t.ngettext(
                "{name} is too large: Telegram takes at most {count} MB for this kind of file.",
                "{name} is too large: Telegram takes at most {count} MB for this kind of file.",
                refused.limit_mb or 0,
                name=name,
            )
        )
    if refused.reason is Refusal.PHOTO_SHAPE:
        return t.label(
            "{name} cannot go as a photo: Telegram takes photos whose width and height add up "
            "to at most 10,000 pixels, and no more than 20 times longer than wide.",
            name=name,
        )
    return t.label(
        "{name} cannot be attached: an announcement takes a photo (JPEG, PNG or WebP) or a "
        "document (PDF, Word, Excel, PowerPoint, OpenDocument, text or CSV).",
        name=name,
    )


def _size(t: Translator, file: AnnouncementFile | None) -> str:
    if file is None:
        return ""
    return t.label("{size} KB", size=max(1, round(file.size / 1024)))


async def show_file(console: ConsoleContext) -> web.StreamResponse:
    """A file chosen in the composer, for its preview: to the staff member who chose it."""
    token = console.request.match_info["token"]
    store = console.services.broadcasts.attachments
    file = await store.get(token) if store is not None and _TOKEN.match(token) else None
    if file is None or file.owner_id != console.user_id or store is None:
        raise web.HTTPNotFound()
    content = await store.content(file)
    if content is None:
        raise web.HTTPNotFound()
    # Only a checked JPEG, PNG or WebP is shown in the page; anything else is downloaded.
    disposition = "inline" if file.kind == "photo" else "attachment"
    return web.Response(
        body=content,
        content_type=file.mime_type,
        headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file.file_name)}",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "sandbox",
        },
    )


def _broadcast_id(console: ConsoleContext) -> int:
    text = console.request.match_info["id"]
    if not _NUMBER.match(text):
        raise web.HTTPNotFound()
    return int(text)


async def _progress_values(console: ConsoleContext, broadcast: Broadcast) -> dict[str, Any]:
    t = console.t
    summary = await console.services.broadcasts.summary(broadcast.id)
    return {
        "broadcast": broadcast,
        "status_name": status_label(t, broadcast.status),
        "audience": audience_label(t, broadcast.audience),
        "summary": summary,
        "running": broadcast.status in ("scheduled", "sending"),
        "progress_url": console.url(f"/announcements/{broadcast.id}/progress"),
    }


async def show_broadcast(console: ConsoleContext) -> web.StreamResponse:
    broadcast = await console.services.broadcasts.get(_broadcast_id(console))
    if broadcast is None:
        raise web.HTTPNotFound()
    t = console.t
    return console.render(
        "announcement.html",
        versions=previews(t, broadcast.versions),
        scheduled=t.datetime(broadcast.scheduled_for, console.time_zone),
        **await _progress_values(console, broadcast),
    )


async def progress(console: ConsoleContext) -> web.StreamResponse:
    """The progress alone, which the page fetches again every few seconds while it runs."""
    broadcast = await console.services.broadcasts.get(_broadcast_id(console))
    if broadcast is None:
        raise web.HTTPNotFound()
    return console.render(
        "announcement_progress.html", **await _progress_values(console, broadcast)
    )


async def counts(console: ConsoleContext) -> web.StreamResponse:
    """The audience's counts, for the composer to show as staff choose."""
    composition = read_composition(console.request.query)
    return console.render(
        "announcement_counts.html",
        counts=None
        if _audience_problem(composition)
        else await _counts(console, composition.audience),
    )


async def stop(console: ConsoleContext) -> web.StreamResponse:
    broadcast_id = _broadcast_id(console)
    cancelled = await console.services.broadcasts.cancel(broadcast_id, by=console.user_id)
    if cancelled is not None:
        await console.audit("announcement.stop", f"#{broadcast_id}")
    return console.see_other(f"/announcements/{broadcast_id}")


def register(site: ConsoleSite) -> None:
    site.get("/announcements", show_composer, name="announcements", nav=N_("Announcements"))
    site.post("/announcements", act, name="announcements.compose", max_body_bytes=MAX_POST_BYTES)
    site.get(r"/announcements/files/{token}", show_file, name="announcements.file")
    site.get("/announcements/counts", counts, name="announcements.counts")
    site.get(r"/announcements/{id:\d+}", show_broadcast, name="announcement")
    site.get(r"/announcements/{id:\d+}/progress", progress, name="announcement.progress")
    site.post(r"/announcements/{id:\d+}/stop", stop, name="announcement.stop")
