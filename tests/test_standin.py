"""Tests of the Telegram Bot API stand-in, driven through python-telegram-bot's real HTTP path."""

from __future__ import annotations

import asyncio
import datetime as dtm
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest
import pytest_asyncio
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonDefault,
    MenuButtonWebApp,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
    WebAppInfo,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from standin import StandInBotApi, parse_html, utf16_len

TOKEN = "123456789:AAHstandinTokenForTestsOnly_0123"
USER = 42
STAFF_CHAT = -1001234567890


def ci(text: str) -> str:
    """A case-insensitive literal pattern: PTB capitalises "Bad Request: ..." descriptions."""
    return "(?i)" + re.escape(text)


@pytest_asyncio.fixture
async def api() -> AsyncIterator[StandInBotApi]:
    server = StandInBotApi(bot_username="MenaHubBot")
    await server.start()
    server.add_user(USER, "Layla", language_code="ar", username="layla")
    # Privacy mode off: the echo bot below sees every message in the group.
    server.add_group(STAFF_CHAT, "Hub staff", privacy_mode=False)
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture
async def bot(api: StandInBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as tg_bot:
        yield tg_bot


@pytest.mark.asyncio
async def test_get_me_uses_token_id_and_refuses_bad_tokens(api: StandInBotApi, bot: Bot) -> None:
    assert bot.id == 123456789
    assert bot.username == "MenaHubBot"
    me = await bot.get_me()
    assert me.is_bot
    assert me.can_join_groups
    bad = Bot("not-a-token", base_url=api.base_url)
    with pytest.raises(InvalidToken):
        await bad.initialize()
    await bad.shutdown()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")


@pytest.mark.asyncio
async def test_send_edit_delete_message(api: StandInBotApi, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    sent = await bot.send_message(
        USER, "<b>Hello</b> there", parse_mode=ParseMode.HTML, reply_markup=keyboard
    )
    assert sent.message_id == 1
    assert sent.text == "Hello there"
    assert sent.from_user is not None
    assert sent.from_user.id == bot.id
    assert sent.entities == (MessageEntity(MessageEntity.BOLD, 0, 5),)
    stored = api.last_message(USER)
    assert (stored.text, stored.html, stored.parse_mode) == (
        "Hello there",
        "<b>Hello</b> there",
        "HTML",
    )
    assert stored.buttons() == [[("Yes", "yes")]]
    assert stored.callback_data_for("Yes") == "yes"

    edited = await bot.edit_message_text("Changed", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, type(sent))
    assert edited.text == "Changed"
    assert stored.text == "Changed"
    assert stored.edited
    assert stored.reply_markup is None  # an edit without reply_markup drops the keyboard

    with pytest.raises(BadRequest, match=ci("message is not modified")):
        await bot.edit_message_text("Changed", chat_id=USER, message_id=sent.message_id)
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard)
    assert stored.button_texts() == ["Yes"]
    with pytest.raises(BadRequest, match=ci("message to edit not found")):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)

    assert await bot.delete_message(USER, sent.message_id)
    assert api.messages(USER)[0].deleted
    with pytest.raises(BadRequest, match=ci("message to delete not found")):
        await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match=ci("message to edit not found")):
        await bot.edit_message_text("again", chat_id=USER, message_id=sent.message_id)


@pytest.mark.asyncio
async def test_html_accepted_with_entities_in_utf16(bot: Bot, api: StandInBotApi) -> None:
    html = (
        '😀 <i>مرحبا</i> &amp; <a href="https://example.org/?a=1&amp;b=2">link</a>\n'
        '<pre><code class="language-python">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q</blockquote>'
    )
    sent = await bot.send_message(USER, html, parse_mode=ParseMode.HTML)
    assert sent.text == "😀 مرحبا & link\nx = 1sq"
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds == [
        ("italic", 3, 5),
        ("text_link", 11, 4),
        ("pre", 16, 5),
        ("spoiler", 21, 1),
        ("expandable_blockquote", 22, 1),
    ]
    assert sent.entities[1].url == "https://example.org/?a=1&b=2"
    assert sent.entities[2].language == "python"
    assert sent.parse_entity(sent.entities[0]) == "مرحبا"


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("مرحبا <foo>", 'Unsupported start tag "foo" at byte offset 11'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("&nbsp;", 'Unescaped "&" at byte offset 0'),
    ],
)
def test_parse_html_refusals(html: str, error: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(error)):
        parse_html(html)


def test_parse_html_numeric_references_and_lenient_ampersand() -> None:
    assert parse_html("&#1605;&#x0645; &lt;&gt;&quot;") == ('مم <>"', [])
    assert parse_html("Tom & Jerry", strict_ampersand=False) == ("Tom & Jerry", [])


@pytest.mark.asyncio
async def test_html_refused_over_http(bot: Bot, api: StandInBotApi) -> None:
    with pytest.raises(BadRequest, match=ci('unsupported start tag "foo" at byte offset 0')):
        await bot.send_message(USER, "<foo>hi</foo>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=ci("message text is empty")):
        await bot.send_message(USER, "<b> </b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=ci("only HTML")):
        await bot.send_message(USER, "*x*", parse_mode=ParseMode.MARKDOWN_V2)
    assert api.messages(USER) == []


@pytest.mark.asyncio
async def test_text_limit_counts_utf16_units(bot: Bot, api: StandInBotApi) -> None:
    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "😀" * 2048)  # 4096 UTF-16 units
    assert utf16_len(api.last_message(USER).text or "") == 4096
    with pytest.raises(BadRequest, match=ci("message is too long")):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match=ci("message is too long")):
        await bot.send_message(USER, "😀" * 2049)
    with pytest.raises(BadRequest, match=ci("message text is empty")):
        await bot.send_message(USER, "  \n ")
    # Markup does not count: 4096 letters wrapped in tags still fit.
    await bot.send_message(USER, "<b>" + "ب" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=ci("message caption is too long")):
        await bot.send_document(USER, b"x", filename="a.txt", caption="c" * 1025)


@pytest.mark.asyncio
async def test_inline_keyboard_validation(bot: Bot) -> None:
    def markup(**button: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("زر", **button)]])  # type: ignore[arg-type]

    await bot.send_message(USER, "ok", reply_markup=markup(callback_data="ع" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=ci("BUTTON_DATA_INVALID")):
        await bot.send_message(USER, "x", reply_markup=markup(callback_data="ع" * 33))
    with pytest.raises(BadRequest, match=ci("Wrong HTTP URL")):
        await bot.send_message(USER, "x", reply_markup=markup(url="example.org"))
    await bot.send_message(USER, "ok", reply_markup=markup(url="https://example.org"))
    with pytest.raises(BadRequest, match=ci("Text buttons are unallowed")):
        await bot.send_message(
            USER,
            "x",
            reply_markup={"inline_keyboard": [[{"text": "bare"}]]},  # type: ignore[arg-type]
        )
    await bot.send_message(USER, "menu", reply_markup=ReplyKeyboardMarkup([["One", "Two"]]))


@pytest.mark.asyncio
async def test_chat_not_found_and_blocked_user(api: StandInBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match=ci("chat not found")):
        await bot.send_message(777, "hello")
    api.block(USER)
    with pytest.raises(Forbidden, match=ci("bot was blocked by the user")):
        await bot.send_message(USER, "hello")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(USER, "typing")
    api.unblock(USER)
    await bot.send_message(USER, "hello again")
    await bot.send_message(STAFF_CHAT, "staff note")
    assert api.last_message(STAFF_CHAT).text == "staff note"


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.asyncio
async def test_injected_429_surfaces_as_retry_after(api: StandInBotApi, bot: Bot) -> None:
    api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after in (3, dtm.timedelta(seconds=3))
    await bot.send_message(USER, "hi")  # only the next call failed
    api.fail_next("setMyCommands", 400, "Bad Request: something odd", times=2)
    for _ in range(2):
        with pytest.raises(BadRequest, match=ci("something odd")):
            await bot.set_my_commands([BotCommand("start", "Start")])
    assert await bot.set_my_commands([BotCommand("start", "Start")])


@pytest.mark.asyncio
async def test_set_my_commands_validation(api: StandInBotApi, bot: Bot) -> None:
    await bot.set_my_commands(
        [BotCommand("start", "ابدأ"), BotCommand("help_me", "مساعدة")],
        scope=BotCommandScopeChat(USER),
        language_code="ar",
    )
    assert api.commands[(f"chat:{USER}", "ar")] == [
        {"command": "start", "description": "ابدأ"},
        {"command": "help_me", "description": "مساعدة"},
    ]
    fetched = await bot.get_my_commands(scope=BotCommandScopeChat(USER), language_code="ar")
    assert [c.command for c in fetched] == ["start", "help_me"]
    assert await bot.get_my_commands() == ()
    await bot.set_my_commands([BotCommand("start", "Start")])
    assert ("default", "") in api.commands

    bad = [
        ([BotCommand("Start", "x")], "BOT_COMMAND_INVALID"),
        ([BotCommand("/start", "x")], "BOT_COMMAND_INVALID"),
        ([BotCommand("a" * 33, "x")], "BOT_COMMAND_INVALID"),
        ([BotCommand("start", "")], "command description must be non-empty"),
        ([BotCommand("start", "d" * 257)], "BOT_COMMAND_DESCRIPTION_INVALID"),
        ([BotCommand(f"c{i}", "x") for i in range(101)], "BOT_COMMANDS_TOO_MUCH"),
    ]
    for commands, error in bad:
        with pytest.raises(BadRequest, match=ci(error)):
            await bot.set_my_commands(commands)
    with pytest.raises(BadRequest, match=ci("invalid language code")):
        await bot.set_my_commands([BotCommand("start", "x")], language_code="ara")
    with pytest.raises(BadRequest, match=ci("chat not found")):
        await bot.set_my_commands([BotCommand("start", "x")], scope=BotCommandScopeChat(5))
    await bot.delete_my_commands()
    assert ("default", "") not in api.commands


@pytest.mark.asyncio
async def test_document_upload_is_stored_and_downloadable(api: StandInBotApi, bot: Bot) -> None:
    sent = await bot.send_document(
        USER,
        b"report body",
        filename="report.txt",
        caption="<b>Report</b>",
        parse_mode=ParseMode.HTML,
    )
    assert sent.document is not None
    assert sent.document.file_name == "report.txt"
    assert sent.caption == "Report"
    stored = api.last_message(USER)
    assert stored.document is not None
    assert stored.document["content"] == b"report body"
    assert stored.document["file_name"] == "report.txt"
    assert stored.document["mime"] == "text/plain"
    assert (stored.text, stored.caption, stored.html) == (None, "Report", "<b>Report</b>")

    again = await bot.send_document(STAFF_CHAT, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_id == sent.document.file_id
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"report body"
    with pytest.raises(BadRequest, match=ci("wrong file identifier")):
        await bot.send_document(USER, "no-such-file-id")

    photo = await bot.send_photo(USER, b"\x89PNG\r\n\x1a\n" + bytes(16), caption="pic")
    assert photo.photo
    assert api.last_message(USER).photo is not None


@pytest.mark.asyncio
async def test_get_updates_offset_semantics(api: StandInBotApi, bot: Bot) -> None:
    first = api.send_text(USER, "one")
    second = api.send_text(USER, "two")
    third = api.send_text(USER, "/start deep")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [first, second, third]
    assert updates[2].message is not None
    assert updates[2].message.entities[0].type == MessageEntity.BOT_COMMAND
    assert (await bot.get_updates(limit=1))[0].update_id == first  # nothing confirmed yet

    assert [u.update_id for u in await bot.get_updates(offset=second)] == [second, third]
    assert [u.update_id for u in await bot.get_updates()] == [second, third]  # first is gone
    await api.wait_fetched(first)  # offset second > first was seen
    assert [u.update_id for u in await bot.get_updates(offset=-1)] == [third]
    assert [u.update_id for u in await bot.get_updates()] == [third]


@pytest.mark.asyncio
async def test_long_poll_returns_when_an_update_arrives(api: StandInBotApi, bot: Bot) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await api.wait_for_call("getUpdates")
    update_id = api.send_text(USER, "wake up")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.update_id for u in updates] == [update_id]

    # A second poller terminates the first one, as on Telegram.  PTB's getUpdates connection
    # pool holds one connection, so the rival poller is a second Bot.
    older = asyncio.create_task(bot.get_updates(offset=update_id + 1, timeout=5))
    await api.wait_for_call("getUpdates", count=2)
    async with Bot(TOKEN, base_url=api.base_url) as rival:
        assert await rival.get_updates(offset=update_id + 1) == ()
    with pytest.raises(Conflict):
        await asyncio.wait_for(older, 2)


@pytest.mark.asyncio
async def test_application_polling_end_to_end(api: StandInBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            f"echo: {update.effective_message.text}", do_quote=True
        )

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        assert query.message is not None
        await query.answer(f"got {query.data}")
        await query.edit_message_text(f"chose {query.data}")

    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(on_button))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)

        update_id = api.send_text(USER, "مرحبا")
        await api.wait_fetched(update_id)
        await application.update_queue.join()
        reply = api.last_message(USER)
        assert reply.text == "echo: مرحبا"
        assert reply.reply_to_message_id == 1

        update_id = api.send_text(USER, "in group", chat_id=STAFF_CHAT)
        await api.wait_fetched(update_id)
        await application.update_queue.join()
        assert api.last_message(STAFF_CHAT).text == "echo: in group"

        update_id = api.press_button(USER, reply.message_id, "pick:1")
        await api.wait_fetched(update_id)
        await application.update_queue.join()
        assert api.callback_answers[-1]["text"] == "got pick:1"
        assert (await api.wait_for_message(USER, lambda m: m.edited)).text == "chose pick:1"

        await application.updater.stop()
        await application.stop()
    assert any(method == "deleteWebhook" for method, _ in api.calls)


@pytest.mark.asyncio
async def test_wait_helpers_fail_with_clear_message(api: StandInBotApi) -> None:
    with pytest.raises(AssertionError, match="update 5 was not fetched"):
        await api.wait_fetched(5, timeout=0.01)
    with pytest.raises(AssertionError, match="no matching bot message"):
        await api.wait_for_message(USER, timeout=0.01)


@pytest.mark.asyncio
async def test_raw_error_bodies_match_telegram(api: StandInBotApi) -> None:
    """PTB rewrites descriptions, so check the exact JSON once with a plain HTTP client."""
    url = f"{api.base_url}{TOKEN}/sendMessage"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data={"chat_id": "777", "text": "x"}) as response:
            assert response.status == 400
            assert await response.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
        form = {"chat_id": str(USER), "text": "<b>x</i>", "parse_mode": "HTML"}
        async with session.post(url, data=form) as response:
            body = await response.json()
            assert body["description"] == (
                "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
                'expected "</b>", found "</i>"'
            )
        api.fail_next("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
        async with session.post(url, json={"chat_id": USER, "text": "x"}) as response:
            assert response.status == 429
            assert (await response.json())["parameters"] == {"retry_after": 7}
        async with session.get(f"{api.base_url}bad/getMe") as response:
            assert response.status == 401
            assert (await response.json())["description"] == "Unauthorized"
        async with session.post(url, json={"chat_id": USER, "text": "plain"}) as response:
            assert (await response.json())["result"]["text"] == "plain"


@pytest.mark.asyncio
async def test_simulated_user_content_parses_in_ptb(api: StandInBotApi, bot: Bot) -> None:
    events: list[str] = []
    api.add_listener(lambda event, payload: events.append(event))
    doc_update = api.send_message(
        USER, document=api.make_document(b"cv bytes", "cv.pdf"), caption="my CV"
    )
    api.send_message(USER, photo=api.make_photo())
    api.send_message(USER, sticker=api.make_sticker("👍"))
    api.send_message(USER, location=api.make_location(33.9, 35.5))
    api.send_message(USER, voice=api.make_voice(3))
    api.send_message(USER, contact=api.make_contact("+9611000000", "Layla", user_id=USER))
    question = await bot.send_message(USER, "Which city?")
    api.send_text(USER, "Beirut", reply_to_message_id=question.message_id)
    api.edit_user_message(USER, question.message_id + 1, "Tripoli")

    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message is not None]
    assert updates[0].update_id == doc_update
    document_message = messages[0]
    assert document_message.document is not None
    assert document_message.document.file_name == "cv.pdf"
    assert document_message.caption == "my CV"
    file = await bot.get_file(document_message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"cv bytes"
    assert messages[1].photo[-1].width == 640
    assert messages[2].sticker is not None
    assert messages[2].sticker.emoji == "👍"
    assert messages[3].location is not None
    assert messages[3].location.latitude == 33.9
    assert messages[4].voice is not None
    assert messages[4].voice.mime_type == "audio/ogg"
    assert messages[5].contact is not None
    assert messages[5].contact.user_id == USER
    assert messages[6].reply_to_message is not None
    assert messages[6].reply_to_message.text == "Which city?"
    assert updates[-1].edited_message is not None
    assert updates[-1].edited_message.text == "Tripoli"

    copied = await bot.copy_message(STAFF_CHAT, USER, document_message.message_id)
    staff_copy = api.last_message(STAFF_CHAT)
    assert staff_copy.message_id == copied.message_id
    assert staff_copy.document is not None
    assert staff_copy.document["content"] == b"cv bytes"
    assert staff_copy.caption == "my CV"
    forwarded = await bot.forward_message(STAFF_CHAT, USER, messages[6].message_id)
    assert forwarded.forward_origin is not None
    assert forwarded.text == "Tripoli"
    with pytest.raises(BadRequest, match=ci("message to copy not found")):
        await bot.copy_message(STAFF_CHAT, USER, 999)

    chat = await bot.get_chat(USER)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Layla", "layla")
    group = await bot.get_chat(STAFF_CHAT)
    assert (group.type, group.title) == ("supergroup", "Hub staff")
    await bot.send_chat_action(USER, "typing")
    assert api.chat_actions == [(USER, "typing")]
    assert events == ["message", "message", "message", "chat_action"]


@pytest.mark.asyncio
async def test_answer_callback_query_rules(api: StandInBotApi, bot: Bot) -> None:
    sent = await bot.send_message(USER, "Pick")
    api.press_button(USER, sent.message_id, "forged:data")
    (update,) = await bot.get_updates()
    query = update.callback_query
    assert query is not None
    assert query.data == "forged:data"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.id == api.last_callback_query_id
    with pytest.raises(BadRequest, match=ci("MESSAGE_TOO_LONG")):
        await query.answer("x" * 201)
    assert await query.answer("ok", show_alert=True)
    assert api.callback_answers == [
        {
            "callback_query_id": query.id,
            "text": "ok",
            "show_alert": True,
            "url": None,
            "cache_time": None,
        }
    ]
    with pytest.raises(BadRequest, match=ci("query is too old")):
        await query.answer("again")


@pytest.mark.asyncio
async def test_menu_button_and_web_app_buttons(api: StandInBotApi, bot: Bot) -> None:
    """Telegram opens Mini Apps from https addresses only, and a chat's menu button is a
    private chat's."""
    app = WebAppInfo("https://hub.example.org/console/")
    await bot.set_chat_menu_button(chat_id=USER, menu_button=MenuButtonWebApp("Console", app))
    assert api.menu_buttons[USER]["web_app"]["url"] == "https://hub.example.org/console/"
    shown = await bot.get_chat_menu_button(chat_id=USER)
    assert isinstance(shown, MenuButtonWebApp) and shown.text == "Console"
    await bot.set_chat_menu_button(chat_id=USER, menu_button=MenuButtonDefault())
    assert USER not in api.menu_buttons
    plain = WebAppInfo("http://hub.example.org/console/")
    with pytest.raises(BadRequest, match=ci("a Web App URL must be https")):
        await bot.set_chat_menu_button(chat_id=USER, menu_button=MenuButtonWebApp("C", plain))
    with pytest.raises(BadRequest, match=ci("private chat")):
        await bot.set_chat_menu_button(
            chat_id=STAFF_CHAT, menu_button=MenuButtonWebApp("Console", app)
        )
    button = InlineKeyboardButton("Open", web_app=app)
    await bot.send_message(USER, "ok", reply_markup=InlineKeyboardMarkup([[button]]))
    with pytest.raises(BadRequest, match=ci("must be https")):
        await bot.send_message(
            USER,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Open", web_app=plain)]]),
        )
