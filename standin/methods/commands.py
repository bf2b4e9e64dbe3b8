"""The bot's command menus and descriptions (setMyCommands, setMyDescription, ...)."""

from __future__ import annotations

import re

from standin.limits import MAX_COMMANDS
from standin.models import JsonDict, bad
from standin.params import Params
from standin.state import BotApiState

_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE_RE = re.compile(r"^[a-z]{2}$")
_WEB_APP_URL_RE = re.compile(r"^https://[^\s/?#]+(/\S*)?$", re.IGNORECASE)


class CommandMethods(BotApiState):
    """Commands per scope and language, descriptions per language."""

    def _commands_key(self, params: Params) -> tuple[str, str]:
        scope = params.get_json("scope")
        if scope is None:
            scope_key = "default"
        else:
            if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
                raise bad("can't parse BotCommandScope JSON object")
            kind = scope["type"]
            if kind in (
                "default",
                "all_private_chats",
                "all_group_chats",
                "all_chat_administrators",
            ):
                scope_key = kind
            elif kind in ("chat", "chat_administrators", "chat_member"):
                chat = self._chat(Params(scope), sending=False)
                scope_key = f"{kind}:{chat.id}"
                if kind == "chat_member":
                    user_id = Params(scope).get_int("user_id")
                    if user_id is None:
                        raise bad("user_id is empty")
                    scope_key += f":{user_id}"
            else:
                raise bad("wrong bot command scope type specified")
        language = params.get_str("language_code") or ""
        if language and not _LANGUAGE_RE.match(language):
            raise bad("invalid language code specified")
        return scope_key, language

    async def _set_my_commands(self, params: Params) -> bool:
        commands = params.get_json("commands")
        if commands is None:
            commands = []
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > MAX_COMMANDS:
            raise bad("BOT_COMMANDS_TOO_MUCH")
        cleaned: list[JsonDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse BotCommand: BotCommand must be an Object")
            for name in ("command", "description"):
                if name not in command:
                    raise bad(f"can't parse BotCommand: Can't find field \"{name}\"")
                if not isinstance(command[name], str):
                    raise bad(f'can\'t parse BotCommand: Field "{name}" must be of type String')
            if not _COMMAND_RE.match(command["command"]):
                raise bad("BOT_COMMAND_INVALID")
            description = command["description"]
            if not description.strip():
                raise bad("command description must be non-empty")
            if len(description) > 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": command["command"], "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: Params) -> list[JsonDict]:
        return list(self.commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: Params) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _description_key(self, params: Params, kind: str) -> tuple[str, str]:
        language = params.get_str("language_code") or ""
        if language and not _LANGUAGE_RE.match(language):
            raise bad("invalid language code specified")
        return kind, language

    async def _set_my_description(self, params: Params) -> bool:
        text = params.get_str("description") or ""
        if len(text) > 512:
            raise bad("description is too long")
        self.descriptions[self._description_key(params, "description")] = text
        return True

    async def _get_my_description(self, params: Params) -> JsonDict:
        key = self._description_key(params, "description")
        return {"description": self.descriptions.get(key, "")}

    async def _set_my_short_description(self, params: Params) -> bool:
        text = params.get_str("short_description") or ""
        if len(text) > 120:
            raise bad("short description is too long")
        self.descriptions[self._description_key(params, "short_description")] = text
        return True

    async def _get_my_short_description(self, params: Params) -> JsonDict:
        key = self._description_key(params, "short_description")
        return {"short_description": self.descriptions.get(key, "")}

    # -- the menu button (setChatMenuButton) --------------------------------------------------

    async def _set_chat_menu_button(self, params: Params) -> bool:
        chat_key: int | None = None
        if params.get("chat_id") not in (None, ""):
            chat = self._chat(params, sending=False)
            if chat.type != "private":
                raise bad("a menu button can only be set for a private chat")
            chat_key = chat.id
        button = params.get_json("menu_button")
        if button is None:
            button = {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad("can't parse menu button: unsupported type")
        if button["type"] == "web_app":
            text = button.get("text")
            if not isinstance(text, str) or not text.strip():
                raise bad("menu button text must be non-empty")
            check_web_app(button.get("web_app"))
        if button["type"] == "default":
            self.menu_buttons.pop(chat_key, None)
        else:
            self.menu_buttons[chat_key] = dict(button)
        return True

    async def _get_chat_menu_button(self, params: Params) -> JsonDict:
        chat_key = None
        if params.get("chat_id") not in (None, ""):
            chat_key = self._chat(params, sending=False).id
        return dict(
            self.menu_buttons.get(chat_key) or self.menu_buttons.get(None) or {"type": "default"}
        )


def check_web_app(web_app: object) -> None:
    """Telegram opens Mini Apps from https addresses only."""
    url = web_app.get("url") if isinstance(web_app, dict) else None
    if not isinstance(url, str) or not _WEB_APP_URL_RE.match(url):
        raise bad("BUTTON_URL_INVALID: a Web App URL must be https")
