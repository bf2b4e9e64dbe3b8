"""How broadcasts read: versions, audiences, the confirmation, progress and reports."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardButton

from bot.broadcasts import (
    AudienceKind,
    AudiencePreview,
    DeliverySummary,
    describe_delay,
)
from bot.config import SUPPORTED_LANGUAGES
from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator
from handlers.common import (
    button,
)
from handlers.routes import (
    BC_AUDIENCE,
)
from storage.models import Broadcast


def version_language(t: Translator, code: str) -> str:
    return t.language_name(code)


def versions_text(t: Translator, data: dict[str, Any]) -> Markup:
    versions = data.get("versions", {})
    names = t.list(version_language(t, code) for code in SUPPORTED_LANGUAGES if code in versions)
    attachment = data.get("attachment")
    if attachment is None:
        return t._("Versions written: {languages}. No photo or document.", languages=names)
    if attachment["kind"] == "photo":
        return t._("Versions written: {languages}. With a photo.", languages=names)
    return t._("Versions written: {languages}. With a document.", languages=names)


def audience_buttons(t: Translator, has_events: bool) -> list[list[InlineKeyboardButton]]:
    choices = [
        (AudienceKind.FOCAL_POINTS, t.label("All verified focal points")),
        (AudienceKind.COUNTRIES, t.label("Focal points in chosen countries")),
        (AudienceKind.LANGUAGES, t.label("Focal points by language")),
        (AudienceKind.EVENT, t.label("The attendees of an event")),
        (AudienceKind.EVERYONE, t.label("Everyone who started the bot")),
    ]
    return [
        [button(text, BC_AUDIENCE, kind.value)]
        for kind, text in choices
        if kind is not AudienceKind.EVENT or has_events
    ]


def event_title(t: Translator, titles: dict[str, str]) -> str:
    return titles.get(t.language) or next(iter(titles.values()), "")


def shorten(text: str, limit: int = 48) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def confirmation_text(t: Translator, preview: AudiencePreview) -> Markup:
    lines = []
    for share in preview.shares:
        values = {
            "language": version_language(t, share.language),
            "version": version_language(t, share.version),
        }
        if share.version == share.language:
            lines.append(
                t.ngettext(
                    "{language}: {count} person",
                    "{language}: {count} people",
                    share.count,
                    **values,
                )
            )
        else:
            lines.append(
                t.ngettext(
                    "{language}: {count} person, who gets the {version} version with a note",
                    "{language}: {count} people, who get the {version} version with a note",
                    share.count,
                    **values,
                )
            )
    return t.ngettext(
        "<b>Ready to send to {count} person.</b>\n{shares}\n\nThe previews above show what each "
        "version looks like. Send it now, or schedule it for later?",
        "<b>Ready to send to {count} people.</b>\n{shares}\n\nThe previews above show what each "
        "version looks like. Send it now, or schedule it for later?",
        preview.total,
        shares=Markup("\n").join(lines),
    )


def already_ended(t: Translator, broadcast: Broadcast) -> Markup:
    return t._(
        "Broadcast #{number} has already ended ({status}).",
        number=str(broadcast.id),
        status=status_label(t, broadcast.status),
    )


def status_label(t: Translator, status: str) -> str:
    labels = {
        "scheduled": t.plabel("broadcast status", "scheduled"),
        "sending": t.plabel("broadcast status", "sending"),
        "done": t.plabel("broadcast status", "finished"),
        "cancelled": t.plabel("broadcast status", "cancelled"),
    }
    return labels.get(status, status)


def audience_label(t: Translator, audience: dict[str, Any]) -> str:
    kind = AudienceKind(audience["kind"])
    values = audience.get("values", [])
    if kind is AudienceKind.COUNTRIES:
        names = t.list(
            t.label(COUNTRIES_BY_CODE[code].name) for code in values if code in COUNTRIES_BY_CODE
        )
        return t.label("focal points in {countries}", countries=names)
    if kind is AudienceKind.LANGUAGES:
        names = t.list(version_language(t, code) for code in values if code in SUPPORTED_LANGUAGES)
        return t.label("focal points reading {languages}", languages=names)
    if kind is AudienceKind.EVENT:
        return t.label("attendees of event #{number}", number=str(values[0] if values else "?"))
    if kind is AudienceKind.EVERYONE:
        return t.label("everyone who started the bot")
    return t.label("all verified focal points")


def counts_line(t: Translator, name: str, counts: dict[str, int]) -> Markup:
    return t._(
        "{name}: sent {sent}, failed {failed}, blocked {blocked}, not sent {unsent}",
        name=name,
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        blocked=counts.get("blocked", 0),
        unsent=counts.get("cancelled", 0) + counts.get("pending", 0) + counts.get("sending", 0),
    )


def report_text(
    t: Translator, broadcast: Broadcast, summary: DeliverySummary, time_zone: str
) -> Markup:
    languages = [
        counts_line(t, version_language(t, code), summary.by_language[code])
        for code in SUPPORTED_LANGUAGES
        if code in summary.by_language
    ]
    countries = [
        counts_line(
            t,
            t.label(COUNTRIES_BY_CODE[code].name)
            if code in COUNTRIES_BY_CODE
            else t.label("Not a focal point"),
            summary.by_country[code],
        )
        for code in sorted(summary.by_country, key=lambda code: code or "~")
    ]
    duration = (
        describe_delay(t, (broadcast.finished_at - broadcast.started_at).total_seconds())
        if broadcast.finished_at and broadcast.started_at
        else "—"
    )
    # Outside the t._() call below, where message extraction would not see it.
    everyone = t.label("All")
    return t._(
        "<b>Report of broadcast #{number}</b> ({status}), to {audience}\n"
        "Created {created}; sending took {duration}.\n"
        "{total}\n\n<b>By language</b>\n{languages}\n\n<b>By country</b>\n{countries}",
        number=str(broadcast.id),
        status=status_label(t, broadcast.status),
        audience=audience_label(t, broadcast.audience),
        created=t.datetime(broadcast.created_at, time_zone),
        duration=duration,
        total=counts_line(t, everyone, summary.states),
        languages=Markup("\n").join(languages) or "—",
        countries=Markup("\n").join(countries) or "—",
    )


def progress_text(
    t: Translator, broadcast: Broadcast, summary: DeliverySummary, seconds_left: float | None
) -> Markup:
    values = {
        "number": str(broadcast.id),
        "sent": summary.count("sent"),
        "failed": summary.count("failed"),
        "blocked": summary.count("blocked"),
        "remaining": summary.remaining,
        "total": summary.total,
    }
    if broadcast.status == "done":
        return t._(
            "<b>Broadcast #{number} finished.</b>\nSent {sent} · failed {failed} · "
            "blocked {blocked} · of {total}",
            **values,
        )
    if broadcast.status == "cancelled":
        return t._(
            "<b>Broadcast #{number} was cancelled.</b>\nSent {sent} · failed {failed} · "
            "blocked {blocked} · of {total}",
            **values,
        )
    if summary.waiting:
        return t._(
            "<b>Sending broadcast #{number}…</b>\nSent {sent} · failed {failed} · "
            "blocked {blocked} · remaining {remaining} of {total}\n"
            "Waiting for their working morning: {waiting}",
            waiting=summary.waiting,
            **values,
        )
    if seconds_left is None or summary.remaining == 0:
        return t._(
            "<b>Sending broadcast #{number}…</b>\nSent {sent} · failed {failed} · "
            "blocked {blocked} · remaining {remaining} of {total}",
            **values,
        )
    return t._(
        "<b>Sending broadcast #{number}…</b>\nSent {sent} · failed {failed} · "
        "blocked {blocked} · remaining {remaining} of {total}\nTime left: {left}",
        left=describe_delay(t, seconds_left),
        **values,
    )
