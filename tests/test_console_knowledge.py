"""The console's knowledge pages in a real browser (headless Chromium) against the real bot
and the stand-in Bot API: staff edit, review, publish and restore, and focal points get it."""

from __future__ import annotations

from dataclasses import replace

from playwright.async_api import Browser, Page, expect

from bot.knowledge.content import Entry, Translated
from tests.conftest import ARABIC_USER, ENGLISH_USER
from tests.console_harness import LAPTOP, console_url, signed_in_page
from tests.harness import ADMIN, Harness, catalogs
from tests.test_content import ANSWER_AR, ANSWER_EN, ANSWER_FR

SLUG = "nlc"
FRENCH_IN_ARABIC = catalogs().translator("ar").language_name("fr")
ARABIC_QUESTION = "ما هو التعاون الوطني المحلي في الوقاية من التطرف؟"
# Levantine: "what does cooperation between the municipality and the central government mean?"
DIALECT_QUESTION = "شو يعني التنسيق بين البلدية والحكومة المركزية؟"
NEW_SENTENCE = "وقد نشر المركز في ديسمبر 2026 دليلاً جديداً للتعاون بين المستويين."
HOSTILE_TITLE = (
    '<script>window.pwned = 1</script> <b>bold</b> & <img src=x onerror="window.pwned=2">'
)


def label(language: str, message: str, **values: object) -> str:
    return catalogs().translator(language).label(message, **values)


async def arabic_staff_page(bot: Harness, browser: Browser) -> Page:
    page = await signed_in_page(browser, bot, ADMIN, viewport=LAPTOP)
    await bot.services.accounts.set_language(ADMIN, "ar")
    return page


async def ask_bot(bot: Harness, user_id: int, question: str) -> str:
    [answer] = await bot.say(user_id, question)
    return answer.text or ""


async def test_staff_publish_an_arabic_answer_in_arabic_and_the_bot_gives_it_then_restore(
    console_bot: Harness, browser: Browser
) -> None:
    page = await arabic_staff_page(console_bot, browser)
    entry_url = console_url(console_bot, f"/knowledge/entry/{SLUG}")
    await page.goto(entry_url)
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.get_attribute("#language-ar", "dir") == "rtl"
    needs_review = label("ar", "needs review")

    # Edit the Arabic answer: as staff type, French and English are marked for review.
    arabic = page.locator('textarea[name="answer_ar"]')
    old_arabic = await arabic.input_value()
    await arabic.fill(f"{old_arabic}\n\n{NEW_SENTENCE}")
    await expect(page.locator('[data-state-of="fr"]')).to_have_text(needs_review)
    await expect(page.locator('[data-state-of="en"]')).to_have_text(needs_review)
    await page.get_by_role("button", name=label("ar", "Save the draft")).click()
    await expect(page.locator('[data-state-of="fr"]')).to_have_text(needs_review)
    await expect(page.locator('[data-state-of="en"]')).to_have_text(needs_review)
    await expect(page.locator('[data-state-of="ar"]')).to_have_text(label("ar", "complete"))

    # Without a French answer, publishing is refused, in Arabic, and nothing reaches anyone.
    french = page.locator('textarea[name="answer_fr"]')
    old_french = await french.input_value()
    await french.fill("")
    await expect(page.locator("[data-problems]")).to_contain_text(
        label("ar", "missing answer in {lang}", lang=FRENCH_IN_ARABIC)
    )
    await page.get_by_role("button", name=label("ar", "Save and publish")).click()
    await expect(page.locator("#refusal")).to_have_text(
        label("ar", "Not published: correct the problems below first. The draft is kept.")
    )
    await expect(page.locator("[data-problems]")).to_contain_text(
        label("ar", "missing answer in {lang}", lang=FRENCH_IN_ARABIC)
    )
    assert NEW_SENTENCE not in await ask_bot(console_bot, ARABIC_USER, ARABIC_QUESTION)

    # French written again; English confirmed as still right.
    await page.locator('textarea[name="answer_fr"]').fill(old_french)
    await page.get_by_role("button", name=label("ar", "Save the draft")).click()
    await expect(page.locator('[data-state-of="fr"]')).to_have_text(label("ar", "complete"))
    await (
        page.locator("#language-en")
        .get_by_role("button", name=label("ar", "Confirm: still right"))
        .click()
    )
    await expect(page.locator('[data-state-of="en"]')).to_have_text(label("ar", "complete"))

    # A question in dialect: the live base and the draft side by side, with the reasons.
    await page.locator('input[name="q"]').fill(DIALECT_QUESTION)
    await page.get_by_role("button", name=label("ar", "Try"), exact=True).click()
    draft_side = page.locator('[data-side="draft"]')
    await expect(draft_side.locator("li").first).to_contain_text(
        console_bot.services.knowledge.live_entries()[SLUG].title.ar
    )
    await expect(page.locator('[data-side="live"] li').first).to_be_visible()

    await page.locator("#publish").click()
    await expect(page.locator(".notice")).to_have_text(
        label("ar", "Published: focal points get this version now.")
    )
    assert NEW_SENTENCE in await ask_bot(console_bot, ARABIC_USER, ARABIC_QUESTION)

    # History: the imported version, compared with the current one, restored.
    await page.goto(console_url(console_bot, f"/knowledge/entry/{SLUG}/history"))
    versions = page.locator("table.versions tbody tr")
    await expect(versions).to_have_count(5)  # import, edit, edit, confirm (live), and newest first
    await versions.last.get_by_role("link").click()
    await expect(page.locator(".difference del").first).to_contain_text("2026")
    await page.locator("#restore").click()
    await expect(page.locator(".notice")).to_have_text(
        label("ar", "Restored and published: focal points get that version again.")
    )
    assert NEW_SENTENCE not in await ask_bot(console_bot, ARABIC_USER, ARABIC_QUESTION)

    actions = [r.action for r in (await console_bot.services.audit.page(actor_id=ADMIN)).records]
    for action in (
        "knowledge.save",
        "knowledge.publish-refused",
        "knowledge.confirm",
        "knowledge.publish",
        "knowledge.restore",
    ):
        assert action in actions


async def test_markup_in_an_entry_is_shown_literally_in_the_console_and_in_the_bot(
    console_bot: Harness, browser: Browser
) -> None:
    editor = console_bot.services.knowledge_editor
    hostile = Entry(
        slug="markup-test",
        topic="hub",
        title=Translated(HOSTILE_TITLE, HOSTILE_TITLE, HOSTILE_TITLE),
        answer=Translated(
            ANSWER_AR, ANSWER_FR, f"{ANSWER_EN} Compare 1 < 2 & 3 > 2; <b> is not bold."
        ),
        keywords=Translated(("<script>",), ("<script>",), ("<script>", "zebra crossing")),
        questions=Translated(
            tuple(f"سؤال {n}" for n in range(5)),
            tuple(f"question {n}" for n in range(5)),
            tuple(f"Where is the zebra crossing {n}?" for n in range(5)),
        ),
    )
    assert await editor.create(hostile, author=ADMIN) is not None
    publication = await editor.publish("markup-test", author=ADMIN)
    assert not publication.published  # "<b>" in an answer is refused: plain text only
    fixed = replace(
        hostile, answer=Translated(ANSWER_AR, ANSWER_FR, f"{ANSWER_EN} Compare 1 < 2 & 3 > 2.")
    )
    await editor.save(fixed, author=ADMIN)
    for language in ("ar", "fr"):  # the English answer changed: the others are confirmed
        await editor.confirm("markup-test", language, author=ADMIN)
    assert (await editor.publish("markup-test", author=ADMIN)).published

    page = await signed_in_page(browser, console_bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(console_bot, "/knowledge/entry/markup-test"))
    assert await page.inner_text("h1") == HOSTILE_TITLE
    assert await page.locator('input[name="title_en"]').input_value() == HOSTILE_TITLE
    assert await page.evaluate("window.pwned") is None
    await page.goto(console_url(console_bot, "/knowledge?topic=hub"))
    await expect(page.locator("table.entries")).to_contain_text(HOSTILE_TITLE)
    assert await page.evaluate("window.pwned") is None

    reply = await ask_bot(console_bot, ENGLISH_USER, "Where is the zebra crossing?")
    assert HOSTILE_TITLE in reply
    assert "1 < 2 & 3 > 2" in reply


async def test_a_taught_question_is_on_its_entry_and_removed_there_and_a_new_entry_starts_a_draft(
    console_bot: Harness, browser: Browser
) -> None:
    question = "Is there parking near the venue?"
    knowledge = console_bot.services.knowledge
    await console_bot.say(ENGLISH_USER, question)
    kept = await knowledge.keep_unanswered(user_id=ENGLISH_USER, text=question, language="en")
    assert await knowledge.learn(kept, slug="hub-team-contact", staff_id=ADMIN)
    assert "hub" in (await ask_bot(console_bot, ENGLISH_USER, question)).lower()

    page = await signed_in_page(browser, console_bot, ADMIN, viewport=LAPTOP)
    await page.goto(console_url(console_bot, "/knowledge/entry/hub-team-contact"))
    taught = page.locator("#taught li")
    await expect(taught).to_have_count(1)
    await expect(taught).to_contain_text(question)
    await taught.get_by_role("button", name=label("en", "Remove")).click()
    await expect(page.locator("#taught li")).to_have_count(0)
    assert await console_bot.services.knowledge_editor.taught("hub-team-contact") == []

    await page.goto(console_url(console_bot, "/knowledge"))
    await page.locator('#new-entry input[name="slug"]').fill("nlc")
    await page.get_by_role("button", name=label("en", "Create the draft")).click()
    await expect(page.locator("#new-entry .problem")).to_have_text(
        label("en", "An entry with this slug exists already.")
    )
    await page.locator('#new-entry input[name="slug"]').fill("city-twinning")
    await page.get_by_role("button", name=label("en", "Create the draft")).click()
    await page.wait_for_url(console_url(console_bot, "/knowledge/entry/city-twinning"))
    await expect(page.locator('[data-state-of="fr"]')).to_have_text(label("en", "missing"))
    assert "city-twinning" not in knowledge.live_entries()
