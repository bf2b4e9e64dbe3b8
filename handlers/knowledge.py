"""Questions and browsing: topics, entries, free-text questions, and staff answering them."""

from __future__ import annotations

import logging
from dataclasses import replace

from markupsafe import Markup
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot.audit import BOT
from bot.context import HubApplication, HubContext
from bot.delivery.outbox import NoticePart
from bot.geography import HUB_EMAIL
from bot.i18n import Translator
from bot.knowledge.content import TOPIC_NAMES, Entry
from bot.knowledge.intents import (
    FEATURE_NAMES,
    GREETING,
    HUMAN,
    SOCIAL_INTENTS,
    THANKS,
    Recognized,
)
from bot.knowledge.normalize import clear_language
from bot.knowledge.reading import Reading, Tier
from bot.knowledge.service import QUESTION_NOTICE, DailyLimitReached
from bot.services import Services
from handlers.common import (
    answer_callback,
    button,
    edit_or_reply,
    in_rows,
    intent_handler,
    keyboard,
    length_problem,
    message_parts,
    register_intents,
    register_routes,
    reply,
    send_to_person,
    staff_notice,
    staff_only,
    stale_button,
)
from handlers.knowledge_views import (
    entry_button,
    short_label,
    suggestion_keyboard,
    suggestion_text,
)
from handlers.routes import (
    ADOPT_LANGUAGE,
    EV_LIST,
    KB_DISMISS,
    KB_ENTRY,
    KB_FILE,
    KB_FILE_IN,
    KB_FILE_INTENT,
    KB_FILE_TOPIC,
    KB_FORWARD,
    KB_TOPIC,
    KB_TOPICS,
    KNOWLEDGE,
    REG_START,
    REQ_BEGIN,
    REQ_PAGE,
)
from storage.models import Question
from storage.outbox import StaffNotice

logger = logging.getLogger(__name__)

ENTRIES_PER_PAGE = 8
MAX_QUESTION_CHARS = 1000
# The answer goes to the asker with their question: both fit in one Telegram message.
MAX_ANSWER_CHARS = 3000


def topics_keyboard(context: HubContext) -> InlineKeyboardMarkup:
    t = context.t
    topics = context.services.knowledge.topics()
    return keyboard(
        *in_rows([button(t.label(TOPIC_NAMES[name]), KB_TOPIC, name, 0) for name in topics], 2)
    )


def entry_text(t: Translator, entry: Entry) -> Markup:
    language = t.language
    body = t._(
        "<b>{title}</b>\n\n{answer}",
        title=entry.title.get(language),
        answer=entry.answer.get(language).strip(),
    )
    if entry.source:
        body += Markup("\n\n") + t._("Source: {link}", link=entry.source)
    return body


def entry_keyboard(
    context: HubContext,
    entry: Entry,
    *,
    also: list[Entry] | None = None,
    switch: InlineKeyboardButton | None = None,
) -> InlineKeyboardMarkup:
    t = context.t
    knowledge = context.services.knowledge
    related = (
        also
        if also is not None
        else [found for slug in entry.related if (found := knowledge.entry(slug)) is not None]
    )
    rows = [[switch]] if switch else []
    rows += [[entry_button(t, other)] for other in related]
    rows.append(
        [
            button(
                t.label("« {topic}", topic=t.label(TOPIC_NAMES[entry.topic])),
                KB_TOPIC,
                entry.topic,
                0,
            ),
            button(t.label("All topics"), KB_TOPICS),
        ]
    )
    return keyboard(*rows)


async def show_topics(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    text = context.t._(
        "What would you like to know about? Choose a topic, or just type your question."
    )
    if update.callback_query is not None:
        await edit_or_reply(update, context, text, topics_keyboard(context))
    else:
        await reply(update, context, text, topics_keyboard(context))


async def dismiss(update: Update, context: HubContext) -> None:
    await answer_callback(update)
    await edit_or_reply(
        update, context, context.t._("All right. You can ask another question at any time.")
    )


async def show_topic(update: Update, context: HubContext, topic: str, page: int) -> None:
    await answer_callback(update)
    t = context.t
    entries = context.services.knowledge.topic_entries(topic, t.language)
    pages = max(1, -(-len(entries) // ENTRIES_PER_PAGE))
    page = min(page, pages - 1)
    shown = entries[page * ENTRIES_PER_PAGE : (page + 1) * ENTRIES_PER_PAGE]
    rows: list[list[InlineKeyboardButton]] = [[entry_button(t, entry)] for entry in shown]
    paging = []
    if page > 0:
        paging.append(button(t.label("‹ Previous"), KB_TOPIC, topic, page - 1))
    if page < pages - 1:
        paging.append(button(t.label("Next ›"), KB_TOPIC, topic, page + 1))
    rows.append(paging)
    rows.append([button(t.label("All topics"), KB_TOPICS)])
    text = t._(
        "<b>{topic}</b> (page {page} of {pages})",
        topic=t.label(TOPIC_NAMES[topic]),
        page=page + 1,
        pages=pages,
    )
    await edit_or_reply(update, context, text, keyboard(*rows))


async def show_entry(update: Update, context: HubContext, slug: str) -> None:
    entry = context.services.knowledge.entry(slug)
    if entry is None:
        await answer_callback(
            update,
            context.t.label("This entry no longer exists. Use /topics to browse."),
            alert=True,
        )
        return
    await answer_callback(update)
    # An answer is worth keeping in the chat: send it anew rather than replace the list.
    await reply(update, context, entry_text(context.t, entry), entry_keyboard(context, entry))


async def ask(update: Update, context: HubContext) -> None:
    message = update.message
    assert message is not None
    assert message.text is not None
    question = " ".join(message.text.split())
    t = context.t
    if len(question) > MAX_QUESTION_CHARS:
        await reply(
            update,
            context,
            t.ngettext(
                "Please ask in at most {count} character.",
                "Please ask in at most {count} characters.",
                MAX_QUESTION_CHARS,
            ),
        )
        return
    switch = answer_in_question_language(context, question)
    understood = await context.services.knowledge.understand(question)
    await reply_to_reading(update, context, question, understood.reading, switch, understood.intent)


async def reply_to_reading(
    update: Update,
    context: HubContext,
    question: str,
    reading: Reading,
    switch: InlineKeyboardButton | None,
    intent: Recognized | None = None,
) -> None:
    """Answer, suggest or decline, as the reading of the message decided; then the feature
    it asks for, if any (never a decline beside a feature)."""
    t = context.t
    knowledge = context.services.knowledge
    answer = knowledge.entry(reading.answer) if reading.answer else None
    shown = [entry for slug in reading.suggestions if (entry := knowledge.entry(slug)) is not None]
    if intent is None or answer is not None:
        await context.services.stats.record_question(
            language=t.language, country=context.me.country, topic=answer.topic if answer else None
        )
    if answer is not None:
        await reply(
            update,
            context,
            entry_text(t, answer),
            entry_keyboard(context, answer, also=shown, switch=switch),
        )
    elif reading.tier is Tier.SUGGEST and shown:
        await suggest(update, context, question, shown, switch)
    elif intent is None:
        await offer_forward(update, context, question, switch=switch, declined=True)
    # The feature the message asks for, after the entry that answers the rest of it (a
    # greeting or thanks beside an answer needs no reply of its own).
    if intent is not None and not (intent.name in SOCIAL_INTENTS and (answer or shown)):
        for asked in (intent, *(replace(intent, name=name) for name in intent.also)):
            run = intent_handler(context, asked.name)
            if run is not None:
                await run(update, context, asked, question)


async def suggest(
    update: Update,
    context: HubContext,
    question: str,
    shown: list[Entry],
    switch: InlineKeyboardButton | None,
) -> None:
    """Not sure: the closest entries, one tap each, and the question kept for the Hub team."""
    t = context.t
    try:
        kept = await context.services.knowledge.keep_unanswered(
            user_id=context.user_id, text=question, language=t.language
        )
    except DailyLimitReached as reached:
        text = suggestion_text(t, kept_limit=reached.limit)
        markup = suggestion_keyboard(t, shown, question_id=None, switch=switch)
    else:
        text = suggestion_text(t, kept_limit=None)
        markup = suggestion_keyboard(t, shown, question_id=kept.id, switch=switch)
    await reply(update, context, text, markup)


async def offer_forward(
    update: Update,
    context: HubContext,
    question: str,
    *,
    switch: InlineKeyboardButton | None = None,
    declined: bool,
) -> None:
    """Offer to send the message to the Hub team: when nothing related is found (a decline),
    or when the person asks for one."""
    t = context.t
    try:
        kept = await context.services.knowledge.keep_unanswered(
            user_id=context.user_id, text=question, language=t.language
        )
    except DailyLimitReached as reached:
        await reply(
            update,
            context,
            t.ngettext(
                "I could not find an answer to that in the Hub's resources. You have already "
                "left {count} unanswered question in the last 24 hours, the most the bot keeps; "
                "please try again tomorrow, or write to {email}.",
                "I could not find an answer to that in the Hub's resources. You have already "
                "left {count} unanswered questions in the last 24 hours, the most the bot keeps; "
                "please try again tomorrow, or write to {email}.",
                reached.limit,
                email=HUB_EMAIL,
            )
            if declined
            else t.ngettext(
                "You have already left {count} message for the Hub team in the last 24 hours, "
                "the most the bot keeps; please try again tomorrow, or write to {email}.",
                "You have already left {count} messages for the Hub team in the last 24 hours, "
                "the most the bot keeps; please try again tomorrow, or write to {email}.",
                reached.limit,
                email=HUB_EMAIL,
            ),
        )
        return
    await reply(
        update,
        context,
        t._(
            "I could not find an answer to that in the Hub's resources. Shall I send your "
            "question to the Hub team? They will answer you here."
        )
        if declined
        else t._("Shall I send your message to the Hub team? They will answer you here."),
        keyboard(
            [switch] if switch else [],
            [
                button(t.label("Send it to the Hub team"), KB_FORWARD, kept.id),
                button(t.label("No, thanks"), KB_DISMISS),
            ],
            [button(t.label("Browse topics"), KB_TOPICS)],
        ),
    )


async def human_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    await offer_forward(update, context, message, declined=False)


async def social_asked(
    update: Update, context: HubContext, recognized: Recognized, message: str
) -> None:
    """A greeting or thanks: a short answer and what the bot can do, never a decline."""
    t = context.t
    text = (
        t._("You are welcome! Ask me anything else about the Hub, or choose below.")
        if recognized.name == THANKS
        else t._("Hello! Ask me anything about the Hub in your own words, or choose below.")
    )
    await reply(update, context, text, menu_keyboard(context))


def menu_keyboard(context: HubContext) -> InlineKeyboardMarkup:
    t = context.t
    profile = context.me
    rows = [
        [
            button(t.label("Browse topics"), KB_TOPICS),
            button(t.label("Coming events"), EV_LIST),
        ]
    ]
    if profile.is_verified_focal_point:
        rows.append(
            [
                button(t.label("Request technical support"), REQ_BEGIN),
                button(t.label("My requests"), REQ_PAGE, 0),
            ]
        )
    elif profile.focal_point is None:
        rows.append([button(t.label("I am a city focal point"), REG_START)])
    return keyboard(*rows)


def answer_in_question_language(context: HubContext, question: str) -> InlineKeyboardButton | None:
    """Answer in the language the question is clearly written in, whatever the profile says;
    then offer, in that language, to make it the person's language."""
    language = clear_language(question)
    if language is None or language == context.t.language:
        return None
    profile = context.me
    context.use_translator(context.services.translator(language, profile.country))
    t = context.t
    return button(
        t.label(
            "Answer me in {language_name} from now on", language_name=t.language_name(language)
        ),
        ADOPT_LANGUAGE,
        language,
    )


async def forward_question(update: Update, context: HubContext, question_id: int) -> None:
    services = context.services
    profile = context.me
    asked = await services.knowledge.question(question_id)
    if asked is not None and asked.user_id == profile.user.id:
        # The bot declined in the question's language: the rest of the exchange stays in it.
        context.use_translator(services.translator(asked.language, profile.country))
    t = context.t
    try:
        question = await services.knowledge.forward(question_id, user_id=profile.user.id)
    except DailyLimitReached as reached:
        await answer_callback(update)
        await edit_or_reply(
            update,
            context,
            t.ngettext(
                "You have sent {count} question to the Hub team in the last 24 hours, the most "
                "a day; please try again tomorrow, or write to {email}.",
                "You have sent {count} questions to the Hub team in the last 24 hours, the most "
                "a day; please try again tomorrow, or write to {email}.",
                reached.limit,
                email=HUB_EMAIL,
            ),
        )
        return
    await answer_callback(update)
    if question is None:
        # Sent already (a double tap), or not this user's question.
        await edit_or_reply(update, context, t._("This question was already sent to the Hub team."))
        return
    await edit_or_reply(update, context, t._("Sent. The Hub team will answer you here."))
    services.outbox.wake()  # the question to staff, queued with it


async def question_notice(
    services: Services, notice: StaffNotice, staff_t: Translator
) -> list[NoticePart]:
    """Staff answer by replying to this message: its copy is remembered (remember_question)."""
    question = await services.knowledge.question(int(notice.payload["question_id"]))
    asker = await services.accounts.profile(notice.subject_user_id or 0)
    if question is None or asker is None:
        return []
    focal_point = asker.focal_point
    where = staff_t.label(focal_point.city) if focal_point else staff_t.label("not registered")
    text = staff_t._(
        "<b>Question from {name}</b> ({where}):\n\n{question}\n\n"
        "Reply to this message to answer; your reply is sent to them.",
        name=asker.user.display_name,
        where=where,
        question=question.text,
    )
    return message_parts(text, staff_t, is_copy=True)


async def remember_question(
    services: Services, notice: StaffNotice, chat_id: int, message_id: int
) -> None:
    question = await services.knowledge.question(int(notice.payload["question_id"]))
    if question is not None:
        await services.knowledge.remember_staff_copy(
            question, chat_id=chat_id, message_id=message_id
        )


async def on_private_text(update: Update, context: HubContext) -> None:
    """Free text is a question, unless it is staff replying to a forwarded question."""
    if not await staff_reply(update, context):
        await ask(update, context)


async def staff_reply(update: Update, context: HubContext) -> bool:
    """A staff member replied to a forwarded question: the answer goes to whoever asked.

    Returns False when the message is not such a reply.
    """
    message = update.message
    assert message is not None
    replied = message.reply_to_message
    if (
        replied is None
        or message.text is None
        or not (context.profile and context.profile.is_staff)
    ):
        return False
    services = context.services
    question = await services.knowledge.question_behind(message.chat_id, replied.message_id)
    if question is None:
        return False
    if len(message.text) > MAX_ANSWER_CHARS:
        too_long = length_problem(context.t, too_short=False, limit=MAX_ANSWER_CHARS)
        await reply(update, context, too_long)
        return True
    await services.knowledge.answer(question, text=message.text, staff_id=context.user_id)
    await services.audit.record(
        actor_id=context.user_id, channel=BOT, action="knowledge.answer", subject=str(question.id)
    )
    asker = await services.accounts.profile(question.user_id)
    if asker is None:
        await reply(
            update,
            context,
            context.t._("The person who asked has erased their data; the answer was not sent."),
        )
        return True
    # The answer goes to the asker in the language they asked in.
    asker_t = services.translator(question.language, asker.country)
    delivered = await send_to_person(
        context.bot,
        question.user_id,
        asker_t._(
            "<b>The Hub team answered your question</b>\n«{question}»\n\n{answer}",
            question=question.text,
            answer=message.text,
        ),
        asker_t,
    )
    if delivered is None:
        await reply(
            update,
            context,
            context.t._(
                "{name} has blocked the bot; the answer could not be delivered.",
                name=asker.user.display_name,
            ),
        )
    else:
        t = context.t
        sent = await reply(
            update,
            context,
            t._("Answer sent to {name}.", name=asker.user.display_name),
            keyboard([button(t.label("Add this question to an entry"), KB_FILE)]),
        )
        # Pressing the button must find the question again: the confirmation is one more
        # message that stands for it.
        await services.knowledge.remember_staff_copy(
            question, chat_id=sent.chat_id, message_id=sent.message_id
        )
    return True


async def _question_of_pressed_message(update: Update, context: HubContext) -> Question | None:
    query = update.callback_query
    assert query is not None
    message = query.message
    question = (
        await context.services.knowledge.question_behind(message.chat.id, message.message_id)
        if message is not None
        else None
    )
    if question is None:
        await stale_button(update, context)
    return question


@staff_only
async def offer_entries(update: Update, context: HubContext, topic: str | None = None) -> None:
    """Staff file an answered question under an entry: the closest entries first, then any
    entry by topic."""
    question = await _question_of_pressed_message(update, context)
    if question is None:
        return
    await answer_callback(update)
    t = context.t
    knowledge = context.services.knowledge
    if topic is None:
        entries = await knowledge.suggest(question.text)
        topics = knowledge.topics()
        extra = in_rows([button(t.label(TOPIC_NAMES[n]), KB_FILE_TOPIC, n) for n in topics], 2)
    else:
        entries = knowledge.topic_entries(topic, t.language)
        extra = [[button(t.label("« Back"), KB_FILE)]]
    rows = [[button(short_label(e.title.get(t.language)), KB_FILE_IN, e.slug)] for e in entries]
    if topic is None:
        # Or one of the bot's features, when the question asks for one (the closest first).
        rows += [
            [
                button(
                    t.label("➜ {feature}", feature=t.label(FEATURE_NAMES[name])),
                    KB_FILE_INTENT,
                    name,
                )
            ]
            for name in knowledge.closest_intents(question.text)
        ]
    text = t._(
        "Which entry answers this question?\n\n«{question}»\n\n"
        "The next person who asks it will get that entry at once.",
        question=question.text,
    )
    await edit_or_reply(update, context, text, keyboard(*rows, *extra))


@staff_only
async def file_question(update: Update, context: HubContext, slug: str) -> None:
    question = await _question_of_pressed_message(update, context)
    if question is None:
        return
    t = context.t
    knowledge = context.services.knowledge
    entry = knowledge.entry(slug)
    if entry is None:
        await answer_callback(
            update, t.label("This entry no longer exists. Use /topics to browse."), alert=True
        )
        return
    await answer_callback(update)
    await knowledge.learn(question, slug=slug, staff_id=context.user_id)
    await edit_or_reply(
        update,
        context,
        t._(
            "«{question}» is now an example question of «{title}»: the bot answers it with "
            "that entry.",
            question=question.text,
            title=entry.title.get(t.language),
        ),
    )


@staff_only
async def file_question_under_feature(update: Update, context: HubContext, intent: str) -> None:
    question = await _question_of_pressed_message(update, context)
    if question is None:
        return
    await answer_callback(update)
    t = context.t
    await context.services.knowledge.learn_intent(question, intent=intent, staff_id=context.user_id)
    await edit_or_reply(
        update,
        context,
        t._(
            "«{question}» now leads to «{feature}»: the bot offers it to whoever asks so.",
            question=question.text,
            feature=t.label(FEATURE_NAMES[intent]),
        ),
    )


async def on_group_reply(update: Update, context: HubContext) -> None:
    if await staff_reply(update, context) or not _replies_to_the_bot(update, context):
        return
    message = update.message
    assert message is not None and message.reply_to_message is not None
    if not (context.profile is not None and context.profile.is_staff):
        return
    if message.text is None and await context.services.knowledge.question_behind(
        message.chat_id, message.reply_to_message.message_id
    ):
        # Only text reaches the asker.
        await reply(update, context, context.t._("Please answer with a text message."))
    else:
        # Staff reply to the city's answer, a card or an erased person's question expecting it
        # to reach someone: say where it goes (nowhere) and how to write to a city.
        t = context.t
        await reply(
            update,
            context,
            t._(
                "Nobody receives replies to this message. To write to a city about its "
                "request, press «{button}» on the request's card.",
                button=t.label("Ask the city"),
            ),
        )


def _replies_to_the_bot(update: Update, context: HubContext) -> bool:
    message = update.message
    replied = message.reply_to_message if message is not None else None
    author = replied.from_user if replied is not None else None
    return author is not None and author.id == context.bot.id


@staff_only
async def reload_content(update: Update, context: HubContext) -> None:
    t = context.t
    report = await context.services.knowledge.reload()
    text = t.ngettext(
        "Knowledge base reloaded: {count} entry.",
        "Knowledge base reloaded: {count} entries.",
        report.loaded,
    )
    errors = [problem for problem in report.problems if problem.is_error]
    if errors:
        text += t._(
            "\n\nProblems (these files were not loaded):\n{problems}",
            problems="\n".join(str(p) for p in errors),
        )
    await reply(update, context, text)


def register(application: HubApplication) -> None:
    staff_notice(application, QUESTION_NOTICE, question_notice, remember_question)
    application.add_handler(CommandHandler("topics", show_topics))
    application.add_handler(CommandHandler("reload", reload_content))
    register_routes(
        application,
        KNOWLEDGE,
        {
            KB_TOPICS: show_topics,
            KB_TOPIC: show_topic,
            KB_ENTRY: show_entry,
            KB_FORWARD: forward_question,
            KB_DISMISS: dismiss,
            KB_FILE: offer_entries,
            KB_FILE_TOPIC: offer_entries,
            KB_FILE_IN: file_question,
            KB_FILE_INTENT: file_question_under_feature,
        },
    )
    register_intents(
        application, {HUMAN: human_asked, GREETING: social_asked, THANKS: social_asked}
    )
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        MessageHandler(
            filters.ChatType.GROUPS
            & filters.REPLY
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL
            & ~filters.UpdateType.EDITED,
            on_group_reply,
        )
    )
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & text, on_private_text))
