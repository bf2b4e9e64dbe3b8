"""`hubbot console`: everything the bot does, in a terminal, as the README shows it."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.config import PROJECT_ROOT, Config
from bot.terminal import (
    CLEAR_LINE,
    DIRECTION_MARKS,
    PROMPT,
    ConsolePrinter,
    file_opener,
    lines_from,
    run_console,
)
from standin import SentMessage
from tests.console_harness import LINK, free_port
from tests.harness import expected, label

QUESTIONS = {
    "ar": "كيف أطبخ الكسكس باللحم؟",
    "fr": "comment cuisiner le couscous à l agneau ?",
    "en": "how do I cook couscous with lamb?",
}


def shown(language: str, message: str, **values: object) -> str:
    """What the terminal shows of a message: the bot's text without its direction marks."""
    return DIRECTION_MARKS.sub("", expected(language, message, **values))


async def console(tmp_path: Path, script: list[str], language: str | None = None) -> str:
    out = io.StringIO()
    database = tmp_path / "data" / "console.sqlite3"
    await run_console(lines_from(script), out, language=language, database=database)
    return out.getvalue()


async def test_register_in_arabic_then_switch_to_french(tmp_path: Path) -> None:
    script = [
        "/start",
        "1",  # العربية
        "/register",
        "أحمد العلمي",
        "6",  # the sixth country button: Morocco
        "2",  # Fes
        "مسؤول الشباب",
        "1",  # skip the email
        "1",  # submit
        "1",  # the console user is staff: approve
        "/language",
        "2",  # Français
        "/help",
        "/quit",
        "/help",  # never read: the console stopped
    ]
    transcript = await console(tmp_path, script, "ar")
    assert shown("ar", "Registration (1/5). What is your full name?") in transcript
    assert "[6] " + label("ar", "Morocco") in transcript
    assert (
        shown(
            "ar",
            "Good news: the Hub team approved your registration as the focal point for {city}.",
            city=label("ar", "Fes"),
        )
        in transcript
    )
    assert (
        shown("fr", "Language set to English. Type a question at any time, or use /help.")
        in transcript
    )
    # After the switch, /help answers in French and knows the user is Fes's focal point.
    after_switch = transcript.rsplit("(edited)>", 1)[1]
    assert (
        shown("fr", "\n\nYou are the verified focal point for {city}.", city=label("fr", "Fes"))
        in after_switch
    )
    # A terminal gets no direction marks: it lays the Arabic out itself.
    assert not DIRECTION_MARKS.search(transcript)
    assert transcript.count("you> /help") == 1


def readme_transcript() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n(you> /start\n.*?)```", readme, re.DOTALL)
    assert block is not None, "README's sample transcript is gone"
    return block.group(1).splitlines()


async def test_the_readme_transcript_is_what_the_console_shows(tmp_path: Path) -> None:
    """The README's sample, line by line in order ("..." stands for lines left out), against a
    fresh console: asking, sending the question to staff, answering it, teaching it."""
    sample = readme_transcript()
    typed = [line.removeprefix("you> ") for line in sample if line.startswith("you> ")]
    shown_lines = (await console(tmp_path, [*typed, "/quit"])).splitlines()
    position = 0
    for line in sample:
        if line == "...":
            continue
        try:
            position = shown_lines.index(line, position) + 1
        except ValueError:
            pytest.fail(
                f"README line not shown (in this order): {line!r}\n" + "\n".join(shown_lines)
            )


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
async def test_staff_reply_to_a_forwarded_question_and_teach_it(
    tmp_path: Path, language: str
) -> None:
    """The console user is staff: their question goes to staff (themselves, privately); ``>5``
    replies to the forwarded copy, which answers the person; then they teach it to the bot."""
    question = QUESTIONS[language]
    script = [
        "/start",
        question,
        "1",  # send it to the Hub team: the forwarded copy is message 5
        ">5 Couscous: not our field.",
        "1",  # add this question to an entry
        "1",  # the first topic
        "1",  # its first entry
        question,  # answered now
        ">99 hello",
        "/quit",
    ]
    transcript = await console(tmp_path, script, language)
    assert "bot #5> " in transcript
    assert (
        shown(
            language,
            "<b>The Hub team answered your question</b>\n«{question}»\n\n{answer}",
            question=question,
            answer="Couscous: not our field.",
        )
        in transcript
    )
    taught = shown(
        language,
        "«{question}» is now an example question of «{title}»: the bot answers it with that entry.",
        question=question,
        title="TITLE",
    )
    assert taught.split("TITLE")[0] in transcript
    declined = shown(
        language,
        "I could not find an answer to that in the Hub's resources. Shall I send your question "
        "to the Hub team? They will answer you here.",
    )
    assert transcript.count(declined) == 1
    assert "(there is no message #99 to reply to)" in transcript


async def test_stats_charts_and_the_workbook_are_saved_with_their_paths(tmp_path: Path) -> None:
    transcript = await console(tmp_path, ["/start", "3", "hello", "/stats", "14", "18"])
    files = tmp_path / "data" / "console-files"
    [chart] = files.glob("*-chart.png")
    assert chart.read_bytes().startswith(b"\x89PNG")
    assert f"  [file: {chart}]" in transcript
    [workbook] = files.glob("*.xlsx")
    assert f"  [file: {workbook}]" in transcript


async def test_language_is_honoured_on_an_existing_console_database(tmp_path: Path) -> None:
    await console(tmp_path, ["/start", "3"])  # chose English
    transcript = await console(tmp_path, ["/help"], "ar")
    [help_line] = [line for line in transcript.splitlines() if line.startswith("bot #")]
    assert re.search("[\u0600-\u06ff]", help_line), help_line
    assert "What I can do" not in transcript


def test_a_message_arriving_at_the_prompt_is_printed_above_it(tmp_path: Path) -> None:
    """In a terminal: a reminder or an invitation that comes while the prompt waits erases the
    prompt, prints, and shows the prompt again below it."""
    out = io.StringIO()
    printer = ConsolePrinter(out, tmp_path, interactive=True)
    printer.show_prompt()
    message = SentMessage(
        message_id=3,
        chat_id=1000,
        text="\u2067مرحبا\u2069 Hala",
        html=None,
        parse_mode=None,
        reply_markup=None,
    )
    printer.on_event("message", message)
    assert out.getvalue() == f"{PROMPT}{CLEAR_LINE}bot #3> مرحبا Hala\n{PROMPT}"


def test_saved_files_are_opened_only_where_a_desktop_can_show_them() -> None:
    def found(name: str) -> str | None:
        return f"/usr/bin/{name}"

    assert file_opener("linux", {"DISPLAY": ":0"}, found) == ["xdg-open"]
    assert file_opener("linux", {"WAYLAND_DISPLAY": "wayland-0"}, found) == ["xdg-open"]
    assert file_opener("linux", {}, found) is None  # over SSH, on a server
    assert file_opener("linux", {"DISPLAY": ":0"}, lambda name: None) is None
    assert file_opener("darwin", {}, found) == ["open"]


async def test_the_staff_console_can_be_tried_from_the_terminal(tmp_path: Path) -> None:
    """With HUBBOT_CONSOLE_URL set, `hubbot console` serves the staff console too: its user
    is staff, so /console gives a link that signs in, no Telegram needed."""
    out = io.StringIO()
    port = free_port()
    settings = Config(token=None, console_url=f"http://127.0.0.1:{port}/console", console_port=port)
    statuses: list[int] = []

    async def typed() -> AsyncIterator[str]:
        yield "/console"
        found = LINK.search(out.getvalue())
        assert found is not None, out.getvalue()
        async with (
            aiohttp.ClientSession() as client,
            client.post(found.group(0), allow_redirects=False) as response,
        ):
            statuses.append(response.status)
        yield "/quit"

    await run_console(
        typed(), out, language="en", database=tmp_path / "c.sqlite3", staff_console=settings
    )
    assert statuses == [303]
