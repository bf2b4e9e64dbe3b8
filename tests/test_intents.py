"""The bot's features in free text, in three languages, dialects, Arabizi and mixed Arabic and
French: events, requests, support, registration, settings, a person, greetings and thanks."""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.knowledge import KnowledgeIndex, load_directory
from bot.knowledge.intents import (
    EVENTS,
    SUPPORT_REQUEST,
    IntentRecognizer,
    clauses,
    intents_from_mapping,
    load_intents,
    mentioned_first,
    request_reference,
    understand,
)
from bot.knowledge.synonyms import load_synonyms
from storage.support_requests import RequestFilter
from tests.conftest import ARABIC_USER, ENGLISH_USER, FRENCH_USER
from tests.harness import ADMIN, STAFF_CHAT, Harness, expected, label
from tests.support_helpers import (
    ASK_DESCRIPTION,
    ASK_TIME_FRAME,
    ASK_TOPIC,
    expected_n,
    fill_request,
)
from tests.support_helpers import make_focal_point as make_verified
from tests.test_events import TITLES, make_event
from tests.test_knowledge_bot import NOT_FOUND

CONTENT = PROJECT_ROOT / "content"
USERS = {"ar": ARABIC_USER, "fr": FRENCH_USER, "en": ENGLISH_USER}
CITIES = {
    "ar": ("IQ", "Miqdadiyah"),
    "fr": ("MA", "Fes"),
    "en": ("JO", "Greater Amman Municipality"),
}

HELLO = "Hello! Ask me anything about the Hub in your own words, or choose below."
WELCOME = "You are welcome! Ask me anything else about the Hub, or choose below."


@pytest.fixture(scope="module")
def recognizer() -> IntentRecognizer:
    catalog, problems = load_intents(CONTENT / "intents.yaml")
    assert [p for p in problems if p.is_error] == []
    synonyms, _ = load_synonyms(CONTENT / "synonyms.yaml")
    return IntentRecognizer(catalog, synonyms=synonyms)


@pytest.fixture(scope="module")
def index() -> KnowledgeIndex:
    synonyms, _ = load_synonyms(CONTENT / "synonyms.yaml")
    return KnowledgeIndex.build(load_directory(CONTENT / "knowledge").entries, synonyms=synonyms)


# --- the policy, on plain values ------------------------------------------------------------------


def test_a_reference_anywhere_written_the_bots_way() -> None:
    assert request_reference("salam, TSR-2026-0042 mazal?") == "TSR-2026-0042"
    assert request_reference("où en est tsr 2026 42 ?") == "TSR-2026-0042"
    assert request_reference("le dossier XTSR-2026-0042") is None
    assert request_reference("we have 2026 requests") is None


def test_a_message_is_cut_into_its_questions() -> None:
    assert clauses("c'est quand le prochain événement et comment m'inscrire ?") == [
        "c'est quand le prochain événement",
        "comment m'inscrire",
    ]
    assert clauses("ما هو الصندوق؟ وكيف نقدم طلب") == ["ما هو الصندوق", "وكيف نقدم طلب"]


def test_the_event_named_comes_first() -> None:
    events = ["prevention", "amman", "tunis"]
    titles = {
        0: ["Regional workshop on prevention"],
        1: ["Workshop in Amman on crisis response", "ورشة عمّان"],
        2: ["Training in Tunis"],
    }
    assert mentioned_first("the workshop in Amman, when?", events, titles)[0] == "amman"
    assert mentioned_first("next event?", events, titles) == events


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("salam", "greeting"),
        ("bonjour", "greeting"),
        ("السلام عليكم", "greeting"),
        ("merci", "thanks"),
        ("شكرا جزيلا", "thanks"),
        ("thanks a lot", "thanks"),
        ("bghit nsjel", "register"),
        ("wa9tach l'event jay?", "events"),
        ("وين وصل طلبنا؟", "my_requests"),
        ("محتاجين accompagnement للموظفين ديال البلدية", "support_request"),
        ("arrête les rappels stp", "reminders_off"),
        ("بدي غير المنطقة الزمنية", "time_zone"),
        ("je veux parler à une personne", "human"),
        ("what is the hub?", None),
        ("Quel temps fera-t-il demain ?", None),
    ],
)
def test_intents_in_every_language(
    recognizer: IntentRecognizer, message: str, intent: str | None
) -> None:
    found = recognizer.recognize(message)
    assert (found.name if found else None) == intent


def test_a_greeting_with_a_question_is_the_question(
    recognizer: IntentRecognizer, index: KnowledgeIndex
) -> None:
    for message in ("bonjour, qui dirige le Hub ?", "salam, chkoun howa l'mas2oul 3la l'markaz?"):
        assert understand(index, recognizer, message).intent is None, message


def test_the_language_named(recognizer: IntentRecognizer) -> None:
    for message, language in [
        ("answer me in French", "fr"),
        ("réponds-moi en anglais", "en"),
        ("جاوبني بالعربي", "ar"),
        ("hder m3aya bel fransi", "fr"),
    ]:
        found = recognizer.recognize(message)
        assert found is not None and found.name == "language"
        assert found.language == language, message


def test_a_feature_and_a_knowledge_question_in_one_message(
    recognizer: IntentRecognizer, index: KnowledgeIndex
) -> None:
    both = understand(index, recognizer, "what is the TSF and how do I apply?")
    assert both.intent is not None and both.intent.name == SUPPORT_REQUEST
    assert both.reading.answer == "technical-support"
    assert both.reading.intent == SUPPORT_REQUEST and not both.reading.declined
    # A message that only asks for a feature gets no entry beside it, and is not declined.
    alone = understand(index, recognizer, "change my time zone").reading
    assert (alone.intent, alone.answer, alone.suggestions, alone.declined) == (
        "time_zone",
        None,
        (),
        False,
    )
    two = understand(index, recognizer, "c'est quand le prochain événement et comment m'inscrire ?")
    assert two.intent is not None and (two.intent.name, two.intent.also) == (EVENTS, ("register",))
    # Thanks before a question: the answer, and the thanks noted; a greeting is politeness.
    fes = "c'est quoi le conseil des jeunes de Fès ?"
    thanks = understand(index, recognizer, f"merci ! et {fes}").reading
    assert (thanks.answer, thanks.intent) == ("case-fes-youth-council", "thanks")
    hello = understand(index, recognizer, f"salam, {fes}").reading
    assert (hello.answer, hello.intent) == ("case-fes-youth-council", None)
    # A greeting with a question nothing answers is a question: declined, not greeted.
    match = understand(index, recognizer, "hello, who won the football match yesterday?")
    assert match.intent is None and match.reading.declined


def test_the_intents_file_is_checked() -> None:
    _, problems = intents_from_mapping(
        {
            "language_names": {"ar": ["عربي"], "fr": ["français"], "en": ["english"]},
            "intents": {
                "events": {"examples": {"en": ["next event"]}},
                "my_requests": {"examples": {"en": ["the next event"]}},
                "weather": {"examples": {"en": ["is it sunny"]}},
            },
        },
        file="intents.yaml",
    )
    messages = [str(p) for p in problems if p.is_error]
    assert any("weather: unknown intent" in m for m in messages)
    assert any("reads the same as an example of events" in m for m in messages)
    assert any("intents.register: missing" in m for m in messages)
    warnings = [str(p) for p in problems if not p.is_error]
    assert any("events.examples.en: 1 examples" in w for w in warnings)


# --- through the bot ------------------------------------------------------------------------------


async def test_events_asked_in_three_languages_the_named_one_first(bot: Harness) -> None:
    first = await make_event(bot)
    amman = await make_event(
        bot,
        titles={"en": "Workshop in Amman", "fr": "Atelier à Amman", "ar": "ورشة في عمان"},
        starts_at=first.starts_at.replace(day=20),
        ends_at=first.ends_at.replace(day=20),
    )
    *_, count, card_a, card_b = await bot.say(ENGLISH_USER, "the workshop in Amman, when?")
    assert count.text == expected_n(
        "en",
        "{count} upcoming event. Answer with the buttons; you can change your answer at any time.",
        "{count} upcoming events. Answer with the buttons; you can change your answer at any time.",
        2,
    )
    assert "Workshop in Amman" in (card_a.text or "")
    assert label("en", "✅ Going") in card_a.button_texts()
    assert TITLES["en"] in (card_b.text or "")
    # In Moroccan Arabizi: the cards in date order (no event named).
    replies = await bot.say(ARABIC_USER, "wa9tach l'event jay?")
    assert len(replies) == 3
    assert any(title in (replies[1].text or "") for title in first.titles.values())
    assert any(title in (replies[2].text or "") for title in amman.titles.values())
    # Two requests in one message: the events, then the registration form.
    replies = await bot.say(
        FRENCH_USER, "c'est quand le prochain événement et comment m'inscrire ?"
    )
    assert TITLES["fr"] in (replies[1].text or "")
    assert replies[-1].text == expected("fr", "Registration (1/5). What is your full name?")
    assert all(reply.text != expected("fr", NOT_FOUND) for reply in replies)


async def test_a_reference_shows_that_request_and_another_citys_reveals_nothing(
    bot: Harness,
) -> None:
    await make_verified(bot, ENGLISH_USER, *CITIES["en"])
    await make_verified(bot, FRENCH_USER, *CITIES["fr"])
    await fill_request(bot, "en")
    await bot.press(ENGLISH_USER, label("en", "✔ Submit"))
    page = await bot.services.support.search(RequestFilter(), page=0, size=1)
    request = page.requests[0]
    [status] = await bot.say(ENGLISH_USER, f"hi, any news on {request.reference.lower()}?")
    assert request.reference in (status.text or "")
    assert request.title in (status.text or "")
    assert label("en", "« My requests") in status.button_texts()
    # Another city's focal point learns nothing, not even whether it exists.
    [other] = await bot.say(FRENCH_USER, f"où en est {request.reference} ?")
    assert other.text == expected(
        "fr",
        "{reference} is not one of your city's support requests. Use /myrequests to see them.",
        reference=request.reference,
    )
    assert request.title not in (other.text or "")
    [missing] = await bot.say(FRENCH_USER, "où en est TSR-2026-0999 ?")
    assert missing.text == expected(
        "fr",
        "{reference} is not one of your city's support requests. Use /myrequests to see them.",
        reference="TSR-2026-0999",
    )
    # Without a reference, the city's list.
    [listing] = await bot.say(ENGLISH_USER, "where is my request?")
    assert request.reference in (listing.text or "")


async def test_a_need_for_support_is_offered_as_a_request_drafted_from_the_message(
    bot: Harness,
) -> None:
    await make_verified(bot, ARABIC_USER, *CITIES["ar"])
    message = "محتاجين accompagnement للموظفين ديال البلدية باش نخدمو على الوقاية"
    # The entry on technical support may come first; the offer comes last.
    *_, offer = await bot.say(ARABIC_USER, message)
    assert offer.text == expected(
        "ar",
        "The Hub can support your city with advice, training and experts. Shall I start a "
        "support request? Your message will be the first draft of its description.",
    )
    # The offer waits; a question in between is still a question.
    [topic] = await bot.press(ARABIC_USER, label("ar", "File a support request"))
    assert topic.text == expected("ar", ASK_TOPIC)
    await bot.press(ARABIC_USER, label("ar", "Youth engagement"))
    await bot.press(ARABIC_USER, label("ar", "Advice on a plan or policy"))
    [description] = await bot.say(ARABIC_USER, "تكوين الموظفين")
    assert message in (description.text or "")
    assert description.text != expected("ar", ASK_DESCRIPTION)
    [next_step] = await bot.press(ARABIC_USER, label("ar", "Keep this description"))
    assert next_step.text == expected("ar", ASK_TIME_FRAME)
    draft = await bot.services.request_form.draft(ARABIC_USER)
    assert draft is not None and draft.data["description"] == message
    # Back to the description: it is the person's now, asked for as usual.
    [again] = await bot.press(ARABIC_USER, label("ar", "« Back"))
    assert again.text == expected("ar", ASK_DESCRIPTION)


async def test_support_for_someone_not_verified_says_how_to_register(bot: Harness) -> None:
    *_, refusal = await bot.say(ENGLISH_USER, "we need training for our youth council")
    assert refusal.text == expected(
        "en",
        "Support requests are for verified city focal points. Use /register to register "
        "as your city's focal point first.",
    )


async def test_a_knowledge_question_that_also_asks_to_apply_gets_both(bot: Harness) -> None:
    await make_verified(bot, ENGLISH_USER, *CITIES["en"])
    [entry, offer] = await bot.say(ENGLISH_USER, "what is the TSF and how do I apply?")
    title = load_directory(CONTENT / "knowledge").entries["technical-support"].title.get("en")
    assert (entry.text or "").startswith(title)
    assert label("en", "File a support request") in offer.button_texts()


@pytest.mark.parametrize(
    ("language", "message"),
    [("ar", "bghit nsjel"), ("fr", "je suis le point focal de Sfax"), ("en", "register me please")],
)
async def test_registering_in_free_text(bot: Harness, language: str, message: str) -> None:
    [form] = await bot.say(USERS[language], message)
    assert form.text == expected(language, "Registration (1/5). What is your full name?")


async def test_someone_registered_is_told_who_they_are_registered_as(bot: Harness) -> None:
    await make_verified(bot, FRENCH_USER, *CITIES["fr"])
    [answer] = await bot.say(FRENCH_USER, "je veux m'inscrire comme point focal")
    assert answer.text == expected(
        "fr",
        "You are already registered as the focal point for {city}.",
        city=label("fr", CITIES["fr"][1]),
    )


@pytest.mark.parametrize(
    ("language", "message", "target"),
    [
        ("en", "answer me in French", "fr"),
        ("fr", "réponds-moi en arabe", "ar"),
        ("ar", "جاوبني بالانجليزي", "en"),
    ],
)
async def test_the_language_named_becomes_the_persons(
    bot: Harness, language: str, message: str, target: str
) -> None:
    [confirmation] = await bot.say(USERS[language], message)
    assert confirmation.text == expected(
        target, "Language set to English. Type a question at any time, or use /help."
    )
    profile = await bot.services.accounts.profile(USERS[language])
    assert profile is not None and profile.user.language == target


async def test_stop_the_reminders(bot: Harness) -> None:
    event = await make_event(bot)
    await bot.say(FRENCH_USER, "/events")
    await bot.press(FRENCH_USER, label("fr", "✅ Going"))
    [done] = await bot.say(FRENCH_USER, "arrêtez les rappels svp")
    assert "1" in (done.text or "")
    rsvp = await bot.services.events.rsvp(event.id, FRENCH_USER)
    assert rsvp is not None and not rsvp.reminders_on
    [nothing] = await bot.say(FRENCH_USER, "arrêtez les rappels svp")
    assert nothing.text == expected(
        "fr", "You have no event reminders to turn off. Use /myevents to see your answers."
    )


async def test_change_my_time_zone(bot: Harness) -> None:
    [choice] = await bot.say(ARABIC_USER, "بدي غير المنطقة الزمنية")
    assert label("ar", "Use my country's time zone") in choice.button_texts()


async def test_a_person_asked_for_gets_the_forward_offer(harness: Harness) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [offer] = await harness.say(ENGLISH_USER, "I want to talk to someone")
        assert offer.text == expected(
            "en", "Shall I send your message to the Hub team? They will answer you here."
        )
        await harness.press(ENGLISH_USER, label("en", "Send it to the Hub team"))
        assert "I want to talk to someone" in (harness.api.last_message(STAFF_CHAT).text or "")


@pytest.mark.parametrize(
    ("language", "message", "reply"),
    [
        ("ar", "salam", HELLO),
        ("ar", "شكرا جزيلا", WELCOME),
        ("fr", "merci beaucoup", WELCOME),
        ("en", "hello", HELLO),
        ("fr", "bonsoir", HELLO),
        ("en", "thx!", WELCOME),
    ],
)
async def test_greetings_and_thanks_are_never_declined(
    bot: Harness, language: str, message: str, reply: str
) -> None:
    [answer] = await bot.say(USERS[language], message)
    assert answer.text == expected(language, reply)
    assert answer.text != expected(language, NOT_FOUND)
    assert label(language, "Browse topics") in answer.button_texts()
    [events] = await bot.press(USERS[language], label(language, "Coming events"))
    assert events.text == expected(language, "There are no upcoming events for you at the moment.")


async def test_staff_teach_a_question_to_lead_to_a_feature(harness: Harness) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    question = "on se voit bientôt à Agadir pour le séminaire ?"
    async with harness.running(staff_chat_id=STAFF_CHAT):
        [unsure] = await harness.say(FRENCH_USER, question)
        assert unsure.text != expected("fr", NOT_FOUND)
        await harness.press(FRENCH_USER, label("fr", "Ask the Hub team"))
        copy = harness.api.last_message(STAFF_CHAT)
        await harness.say(
            ADMIN, "Oui, en octobre.", chat_id=STAFF_CHAT, reply_to_message_id=copy.message_id
        )
        [picker] = await harness.press(
            ADMIN, label("en", "Add this question to an entry"), chat_id=STAFF_CHAT
        )
        feature = label("en", "➜ {feature}", feature=label("en", "Coming events"))
        assert feature in picker.button_texts()
        [filed] = await harness.press(ADMIN, feature, chat_id=STAFF_CHAT)
        assert filed.text == expected(
            "en",
            "«{question}» now leads to «{feature}»: the bot offers it to whoever asks so.",
            question=question,
            feature="Coming events",
        )
        # The next person asking so gets the events at once (in the question's language).
        [events] = await harness.say(ENGLISH_USER, question)
        assert events.text == expected("fr", "There are no upcoming events for you at the moment.")
        assert (await harness.services.knowledge.export_learned()).startswith("intent:events:")


# --- a plain knowledge question carries no feature ----------------------------------------------


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        # Resembles "events of the network's cities", and is the network's own name.
        ("ما هي شبكة المدن القوية؟", None),
        # Resembles "help writing a local plan", and is the NLC's name.
        ("ما هو التعاون الوطني المحلي؟", None),
        ("Qu'est-ce que la coopération nationale-locale (NLC) ?", None),
        # Asking how it is done is a question for the entry; naming the feature is asking it.
        ("كيف أطلب دعما فنيا؟", None),
        ("c'est quoi le TSF et comment faire la demande ?", SUPPORT_REQUEST),
    ],
)
def test_a_knowledge_question_names_a_feature_by_its_own_words(
    recognizer: IntentRecognizer, index: KnowledgeIndex, message: str, intent: str | None
) -> None:
    understood = understand(index, recognizer, message)
    assert understood.reading.intent == intent
    assert understood.reading.shown, "the entries are still given"


async def test_the_strong_cities_network_question_gets_the_entry_not_the_events(
    bot: Harness,
) -> None:
    await make_event(bot)
    replies = await bot.say(ARABIC_USER, "ما هي شبكة المدن القوية؟")
    entry = load_directory(CONTENT / "knowledge").entries["network-overview"]
    assert len(replies) == 1
    assert entry.title.get("ar") in (replies[0].text or "")
    assert all(TITLES["ar"] not in (reply.text or "") for reply in replies)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "ما هو التعاون الوطني المحلي؟"),
        ("fr", "Qu'est-ce que la coopération nationale-locale (NLC) ?"),
        ("en", "What is national-local cooperation (NLC)?"),
    ],
)
async def test_the_nlc_question_is_no_support_request(
    bot: Harness, language: str, message: str
) -> None:
    # A verified focal point: a support request would be offered if the message asked one.
    await make_verified(bot, USERS[language], *CITIES[language])
    replies = await bot.say(USERS[language], message)
    assert len(replies) == 1
    nlc = load_directory(CONTENT / "knowledge").entries["nlc"].title.get(language)
    [reply] = replies
    assert nlc in (reply.text or "") or label(language, nlc) in reply.button_texts()
    assert label(language, "File a support request") not in reply.button_texts()


# --- features asked as people write: dialects, Latin-script Arabic, mixed ----------------------


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "شوكت الورشة الجاية؟"),
        ("ar", "waqtach l'atelier jay?"),
        ("fr", "la prochaine formation, c'est quand svp ?"),
        ("en", "when's the next training for focal points?"),
    ],
)
async def test_the_next_workshop_asked_in_dialects_shows_the_events(
    bot: Harness, language: str, message: str
) -> None:
    event = await make_event(bot)
    replies = await bot.say(USERS[language], message)
    # Latin-script Arabic may be read as French: the card is in the message's language.
    assert any(title in (replies[-1].text or "") for title in event.titles.values())
    assert len(replies[-1].button_texts()) >= 3


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "انا نقطة الاتصال في بلدية اربد"),
        ("ar", "ana focal point jdid f agadir"),
        ("fr", "je suis le nouveau point focal de Kairouan"),
        ("en", "I am the focal point of Sfax"),
    ],
)
async def test_i_am_the_focal_point_opens_the_registration(
    bot: Harness, language: str, message: str
) -> None:
    [form] = await bot.say(USERS[language], message)
    assert form.text == expected(language, "Registration (1/5). What is your full name?")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "عايز اكلم موظف من الهب"),
        ("ar", "bghit nhder m3a chi wa7ed mn l'équipe dyalkom"),
        ("fr", "je peux parler avec quelqu'un de l'équipe ?"),
        ("en", "can I talk with someone from your team"),
    ],
)
async def test_a_person_asked_in_dialects_gets_the_forward_offer(
    harness: Harness, language: str, message: str
) -> None:
    harness.api.add_group(STAFF_CHAT, "Hub staff")
    async with harness.running(staff_chat_id=STAFF_CHAT):
        *_, offer = await harness.say(USERS[language], message)
        # Latin-script Arabic with a French word may be answered in French.
        assert offer.text in {
            expected(lang, "Shall I send your message to the Hub team? They will answer you here.")
            for lang in (language, "fr")
        }


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "بدنا تدريب لفريق البلدية"),
        ("ar", "bghina chi formation l lmowadafin"),
        ("fr", "on a besoin d'un expert pour notre plan de prévention"),
        ("en", "our council needs an expert on youth outreach"),
    ],
)
async def test_a_need_for_support_in_dialects_is_offered_a_request(
    bot: Harness, language: str, message: str
) -> None:
    await make_verified(bot, USERS[language], *CITIES[language])
    *_, offer = await bot.say(USERS[language], message)
    assert label(language, "File a support request") in offer.button_texts()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ar", "win wasel talabi"),
        ("ar", "شو صار بطلب الدعم تبعنا؟"),
        ("fr", "notre demande, elle en est où ?"),
        ("en", "did you get our request?"),
    ],
)
async def test_where_is_our_request_in_dialects_lists_the_citys_requests(
    bot: Harness, language: str, message: str
) -> None:
    await make_verified(bot, USERS[language], *CITIES[language])
    await fill_request(bot, language)
    await bot.press(USERS[language], label(language, "✔ Submit"))
    page = await bot.services.support.search(RequestFilter(), page=0, size=1)
    replies = await bot.say(USERS[language], message)
    assert page.requests[0].reference in (replies[-1].text or "")
