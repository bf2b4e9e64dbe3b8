"""How a registration reads, for the applicant and for staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup
from telegram import InlineKeyboardMarkup

from bot.geography import COUNTRIES_BY_CODE
from bot.i18n import Translator
from bot.registration import RedeemOutcome, RedeemStatus
from handlers.common import button, keyboard
from handlers.routes import REG_MOVE, REG_STAY
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
