"""`hubbot console`: a person registers in Arabic and switches to French, in a terminal."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from bot.config import Config
from bot.terminal import lines_from, run_console
from tests.console_harness import LINK, free_port
from tests.harness import expected, label


async def test_register_in_arabic_then_switch_to_french(tmp_path: Path) -> None:
    out = io.StringIO()
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
    await run_console(lines_from(script), out, language="ar", database=tmp_path / "c.sqlite3")
    transcript = out.getvalue()
    assert expected("ar", "Registration (1/5). What is your full name?") in transcript
    assert "[6] " + label("ar", "Morocco") in transcript
    assert (
        expected(
            "ar",
            "Good news: the Hub team approved your registration as the focal point for {city}.",
            city=label("ar", "Fes"),
        )
        in transcript
    )
    assert (
        expected("fr", "Language set to English. Type a question at any time, or use /help.")
        in transcript
    )
    # After the switch, /help answers in French and knows the user is Fes's focal point.
    after_switch = transcript.rsplit("bot (edited)>", 1)[1]
    assert (
        expected("fr", "\n\nYou are the verified focal point for {city}.", city=label("fr", "Fes"))
        in after_switch
    )


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
