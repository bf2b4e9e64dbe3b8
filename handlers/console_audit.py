"""The audit log page: who did what, when and on what, filtered by person and by kind."""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiohttp import web

from bot.console.site import ConsoleContext, ConsoleSite
from bot.i18n import N_

_ID = re.compile(r"^[0-9]{1,16}$")


# What the console's own actions are called on the page (bot commands are shown as typed).
# Each area adds its actions here, or they are shown by their code.
ACTION_LABELS = {
    "console.login": N_("Signed in"),
    "console.logout": N_("Signed out"),
    "console.language": N_("Changed their language"),
}


@dataclass(frozen=True)
class AuditRow:
    when: str
    who: str
    channel: str
    action: str
    action_label: str | None
    subject: str | None


def _number(text: str | None) -> int | None:
    return int(text) if text is not None and _ID.fullmatch(text) else None


async def audit_log(console: ConsoleContext) -> web.StreamResponse:
    query = console.request.query
    person = _number(query.get("person"))
    actions = await console.services.audit.actions()
    kind = query.get("kind") if query.get("kind") in actions else None
    page = await console.services.audit.page(
        actor_id=person, action=kind, older_than=_number(query.get("older"))
    )
    actor_ids = await console.services.audit.actors()
    names = await console.services.accounts.display_names(
        sorted({*actor_ids, *(r.actor_id for r in page.records if r.actor_id is not None)})
    )
    t = console.t

    def who(actor_id: int | None) -> str:
        if actor_id is None:
            return t.label("a former staff member")
        name = names.get(actor_id)
        return f"{name} ({actor_id})" if name else str(actor_id)

    rows = [
        AuditRow(
            when=t.datetime(record.at, console.time_zone),
            who=who(record.actor_id),
            channel=record.channel,
            action=record.action,
            action_label=t.label(ACTION_LABELS[record.action])
            if record.action in ACTION_LABELS
            else None,
            subject=record.subject,
        )
        for record in page.records
    ]
    older = (
        console.url("/audit", person=person, kind=kind, older=page.older_than)
        if page.older_than is not None
        else None
    )
    return console.render(
        "audit.html",
        rows=rows,
        actors=[(actor_id, who(actor_id)) for actor_id in actor_ids],
        actions=actions,
        person=person,
        kind=kind,
        older=older,
    )


def register(site: ConsoleSite) -> None:
    site.get("/audit", audit_log, name="audit", nav=N_("Audit log"))
