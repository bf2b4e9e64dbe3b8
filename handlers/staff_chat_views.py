"""The staff group's messages: why a group cannot be bound, and the confirmation."""

from __future__ import annotations

from markupsafe import Markup

from bot.i18n import Translator
from bot.staff_chat import BindRefusal


def refusal_text(t: Translator, refusal: BindRefusal, bot_username: str) -> Markup:
    if refusal is BindRefusal.NOT_A_GROUP:
        return t._(
            "Send /bind in the group that should become the staff group, after adding me there."
        )
    if refusal is BindRefusal.SENDER_NOT_ADMIN:
        return t._(
            "Only an administrator of this group can make it the staff group: ask one of them "
            "to send /bind."
        )
    if refusal is BindRefusal.BOT_NOT_ADMIN:
        return t._(
            "I am not an administrator of this group yet: make @{bot} an administrator "
            "(group settings, Administrators), then send /bind again.",
            bot=bot_username,
        )
    return t._(
        "I may not send messages in this group: allow @{bot} to send messages, then send "
        "/bind again.",
        bot=bot_username,
    )


def bound_text(t: Translator, *, privacy_on: bool) -> Markup:
    text = t._(
        "This group is now the Hub's staff group: registrations, questions for staff and "
        "support requests come here. Answer them by replying to my messages."
    )
    # An administrator bot receives every message of the group, privacy mode or not.
    text += t._(
        "\nAs an administrator I receive every message here, but I act only on commands and on "
        "replies to my messages."
    )
    if not privacy_on:
        text += t._(
            "\nPrivacy mode is off: turn it on with @BotFather (/setprivacy), so that I would "
            "not read your conversation if I stopped being an administrator."
        )
    return text
