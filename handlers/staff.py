"""Hub staff administration: the staff list and one-time invite links for cities."""

from __future__ import annotations

import re

from markupsafe import Markup
from telegram import Update
from telegram.ext import CommandHandler

from bot.accounts import is_user_id
from bot.commands import set_personal_menu
from bot.context import HubApplication, HubContext
from bot.geography import COUNTRIES, COUNTRIES_BY_CODE, OTHER_COUNTRY
from bot.registration import is_invite_target
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    keyboard,
    register_routes,
    reply,
    staff_only,
    stale_button,
)
from handlers.routes import INVITE_CITY, INVITE_COUNTRY, INVITES


@staff_only
async def list_staff(update: Update, context: HubContext) -> None:
    t = context.t
    lines = []
    for listing in await context.services.accounts.list_staff():
        values = {
            "name": listing.user.display_name
            if listing.user
            else t.label("(has not opened the bot yet)"),
            "user_id": str(listing.member.user_id),
        }
        if listing.member.from_config:
            lines.append(t._("{name} (id {user_id}), from the configuration", **values))
        else:
            lines.append(t._("{name} (id {user_id})", **values))
    await reply(
        update,
        context,
        t.ngettext(
            "<b>{count} staff member</b>\n{names}",
            "<b>{count} staff members</b>\n{names}",
            len(lines),
            names=Markup("\n").join(lines),
        ),
    )


async def _target_id(update: Update, context: HubContext) -> int | None:
    if (
        context.args
        and len(context.args) == 1
        and re.fullmatch(r"[0-9]{1,16}", context.args[0])
        and is_user_id(int(context.args[0]))
    ):
        return int(context.args[0])
    await reply(
        update,
        context,
        context.t._(
            "Give the person's numeric Telegram id, for example: {example}",
            example="/addstaff 123456789",
        ),
    )
    return None


@staff_only
async def add_staff(update: Update, context: HubContext) -> None:
    user_id = await _target_id(update, context)
    if user_id is None:
        return
    t = context.t
    if await context.services.accounts.add_staff(user_id, added_by=context.user_id):
        await reply(update, context, t._("{user_id} is now hub staff.", user_id=str(user_id)))
        await _refresh_menu(context, user_id)
    else:
        await reply(update, context, t._("{user_id} is already hub staff.", user_id=str(user_id)))


@staff_only
async def remove_staff(update: Update, context: HubContext) -> None:
    user_id = await _target_id(update, context)
    if user_id is None:
        return
    accounts = context.services.accounts
    t = context.t
    if accounts.is_admin(user_id):
        text = t._(
            "{user_id} is staff through the configuration and can only be removed there.",
            user_id=str(user_id),
        )
    elif await accounts.remove_staff(user_id):
        text = t._("{user_id} is no longer hub staff.", user_id=str(user_id))
        await context.services.console.forget(user_id)
        await _refresh_menu(context, user_id)
    else:
        text = t._("{user_id} is not hub staff.", user_id=str(user_id))
    await reply(update, context, text)


async def _refresh_menu(context: HubContext, user_id: int) -> None:
    profile = await context.services.accounts.profile(user_id)
    if profile is not None:
        translator = context.services.translator_for(profile)
        await set_personal_menu(
            context.bot,
            user_id,
            translator,
            staff=profile.is_staff,
            console_url=context.services.config.console_url,
        )


@staff_only
async def start_invite(update: Update, context: HubContext) -> None:
    """`/invite` offers the listed cities; `/invite MA Chefchaouen` invites for any city."""
    t = context.t
    if context.args:
        country = COUNTRIES_BY_CODE.get(context.args[0].upper())
        city = " ".join(context.args[1:])
        if country is None or not is_invite_target(country.code, city):
            await reply(
                update,
                context,
                t._(
                    "Write the country code and the city, for example: {example}",
                    example="/invite MA Chefchaouen",
                ),
            )
            return
        await send_invite(update, context, country.code, city)
        return
    countries = [
        button(t.label(country.name), INVITE_COUNTRY, country.code)
        for country in COUNTRIES
        if country.code != OTHER_COUNTRY
    ]
    await reply(
        update,
        context,
        t._("Invite link: which country is the city in?"),
        keyboard(*in_rows(countries, 2)),
    )


async def send_invite(update: Update, context: HubContext, country: str, city: str) -> None:
    t = context.t
    invite = await context.services.registration.create_invite(
        country=country, city=city, created_by=context.user_id
    )
    await edit_or_reply(
        update,
        context,
        t._(
            "One-time invite link for {city}:\n{link}\n\nThe first person who opens it is "
            "registered as the city's focal point. It expires on {expires}.",
            city=t.label(invite.city),
            link=f"https://t.me/{context.bot.username}?start={invite.code}",
            expires=t.datetime(invite.expires_at, context.me.time_zone),
        ),
    )


@staff_only
async def choose_invite_country(update: Update, context: HubContext, code: str) -> None:
    country = COUNTRIES_BY_CODE.get(code)
    if country is None or country.code == OTHER_COUNTRY:
        await stale_button(update, context)
        return
    await answer_callback(update)
    t = context.t
    cities = [
        button(t.label(name), INVITE_CITY, country.code, index)
        for index, name in enumerate(country.cities)
    ]
    await edit_or_reply(
        update,
        context,
        t._(
            "Invite link: which city? For a city not listed, write for example: {example}",
            example="/invite MA Chefchaouen",
        ),
        keyboard(*in_rows(cities, 2)),
    )


@staff_only
async def choose_invite_city(update: Update, context: HubContext, code: str, index: int) -> None:
    country = COUNTRIES_BY_CODE.get(code)
    if country is None or country.code == OTHER_COUNTRY or index >= len(country.cities):
        await stale_button(update, context)
        return
    await answer_callback(update)
    await send_invite(update, context, country.code, country.cities[index])


def register(application: HubApplication) -> None:
    application.add_handler(CommandHandler("staff", list_staff))
    application.add_handler(CommandHandler("addstaff", add_staff))
    application.add_handler(CommandHandler("removestaff", remove_staff))
    application.add_handler(CommandHandler("invite", start_invite))
    register_routes(
        application,
        INVITES,
        {INVITE_COUNTRY: choose_invite_country, INVITE_CITY: choose_invite_city},
    )
