"""How a registration reads, for the applicant and for staff."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardMarkup

from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator
from bot.registration import RedeemOutcome, RedeemStatus
from handlers.common import button, keyboard
from handlers.routes import (
    REG_MOVE,
    REG_PAGE_APPROVE,
    REG_PAGE_REJECT,
    REG_PENDING,
    REG_STAY,
)
from handlers.support_views import paging_row
from storage.models import FocalPoint, Invite


def describe(t: Translator, data: Mapping[str, Any] | FocalPoint) -> Markup:
    values = (
        data
        if not isinstance(data, FocalPoint)
        else {
            "name": data.full_name,
            "country": data.country,
            "city": data.city,
            "position": data.position,
            "email": data.email,
        }
    )
    country = COUNTRIES_BY_CODE.get(values.get("country") or "")
    city = values.get("city")
    return t._(
        "Name: {name}\nCountry: {country}\nCity or governorate: {city}\n"
        "Position: {position}\nEmail: {email}",
        name=values.get("name") or "—",
        country=t.label(country.name) if country else "—",
        city=t.label(city) if city else "—",
        position=values.get("position") or "—",
        email=values.get("email") or t.label("not given"),
    )


def redeemed_text(t: Translator, outcome: RedeemOutcome) -> Markup:
    """What opening an invite link did."""
    if outcome.status is RedeemStatus.REGISTERED:
        assert outcome.focal_point is not None
        return t._(
            "Welcome! You are now registered as the focal point for {city}. "
            "Use /settings to check your profile and /help to see what the bot can do.",
            city=t.label(outcome.focal_point.city),
        )
    if outcome.status is RedeemStatus.USED:
        return t._("This invite link has already been used. Ask the Hub for a new one.")
    if outcome.status is RedeemStatus.EXPIRED:
        return t._("This invite link has expired. Ask the Hub for a new one.")
    return t._("This invite link is not valid. Check that you copied all of it.")


def move_offer(
    t: Translator, current: FocalPoint, invite: Invite
) -> tuple[Markup, InlineKeyboardMarkup]:
    """An approved focal point opened another city's invite: the question before moving them."""
    moving = t.label("Move to {city}", city=t.label(invite.city))
    return t._(
        "You are the focal point for {current}. This invite is for {city}. "
        "Do you want to become the focal point for {city} instead?",
        current=t.label(current.city),
        city=t.label(invite.city),
    ), keyboard(
        [button(moving, REG_MOVE, invite.code)],
        [button(t.label("Stay with {city}", city=t.label(current.city)), REG_STAY)],
    )


PENDING_PER_PAGE = 5


def pending_pages(count: int) -> int:
    return max(1, -(-count // PENDING_PER_PAGE))


def pending_page(
    t: Translator, pending: Sequence[FocalPoint], page: int
) -> tuple[Markup, InlineKeyboardMarkup | None]:
    """One message for /pending: a page of registrations, a pair of buttons for each, pages.

    A message per registration held a busy staff chat for minutes (one every few seconds)."""
    if not pending:
        return t._("No registration is waiting for review."), None
    pages = pending_pages(len(pending))
    page = min(page, pages - 1)
    shown = pending[page * PENDING_PER_PAGE : (page + 1) * PENDING_PER_PAGE]
    first = page * PENDING_PER_PAGE + 1
    entries = Markup("\n\n").join(
        t._(
            "<b>{number}.</b> (id {user_id})\n{details}",
            number=number,
            user_id=str(focal_point.user_id),
            details=describe(t, focal_point),
        )
        for number, focal_point in enumerate(shown, start=first)
    )
    text = t.ngettext(
        "<b>{count} registration is waiting for review</b> (page {page} of {pages}).\n\n{entries}",
        "<b>{count} registrations are waiting for review</b> (page {page} of {pages}).\n\n"
        "{entries}",
        len(pending),
        page=page + 1,
        pages=pages,
        entries=entries,
    )
    rows = [
        [
            button(t.label("✔ Approve {number}", number=n), REG_PAGE_APPROVE, fp.user_id, page),
            button(t.label("✖ Reject {number}", number=n), REG_PAGE_REJECT, fp.user_id, page),
        ]
        for n, fp in enumerate(shown, start=first)
    ]
    rows.append(paging_row(t, page, pages, REG_PENDING))
    return text, keyboard(*rows)
