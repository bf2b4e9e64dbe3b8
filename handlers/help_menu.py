"""/help: what the bot can do for this person, by role."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot.context import HubApplication, HubContext
from handlers.common import reply


async def show_help(update: Update, context: HubContext) -> None:
    profile = context.me
    t = context.t
    text = t._(
        "<b>What I can do</b>\n\n"
        "Type a question in Arabic, French or English about the Hub's guides, programmes, "
        "case studies and events.\n\n"
        "/topics: browse the Hub's resources by topic\n"
        "/register: register as your city's focal point\n"
        "/language: change language\n"
        "/settings: language, time zone and profile\n"
        "/privacy: what the bot stores about you\n"
        "/deleteme: erase your personal data"
    )
    text += t._(
        "\n\n<b>Events</b>\n"
        "/events: upcoming Hub events; answer and get reminders\n"
        "/myevents: the events you answered"
    )
    if profile.is_verified_focal_point:
        assert profile.focal_point is not None
        text += t._(
            "\n\nYou are the verified focal point for {city}.",
            city=t.label(profile.focal_point.city),
        )
        text += t._(
            "\n\n<b>Technical support</b>\n"
            "/request: ask the Hub for technical support\n"
            "/myrequests: your city's support requests and where they stand"
        )
    if profile.is_staff:
        text += t._(
            "\n\n<b>Hub staff</b>\n"
            "/pending: registrations waiting for review\n"
            "/invite: create a one-time invite link for a city\n"
            "/reload: reload the knowledge base after editing it\n"
            "/staff: list hub staff\n"
            "/addstaff ID: add a staff member by Telegram id\n"
            "/removestaff ID: remove a staff member"
        )
        text += t._(
            "\n/requests: support requests from cities, with filters\n"
            "/exportrequests: all support requests and their history as a CSV file"
        )
        text += t._("\n/newevent: create an event; change or cancel it from /events")
        text += t._(
            "\n/broadcast: send an announcement to focal points, now or later\n"
            "/broadcasts: past and scheduled broadcasts, their reports; cancel one"
        )
        text += t._("\n/console: the staff console, on this phone or on a laptop")
    await reply(update, context, text)


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("help", show_help))
