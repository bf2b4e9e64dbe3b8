"""Importing events from a data file: the command line, every problem reported, no duplicates."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.clock import ManualClock
from bot.events.file_import import EventFileError, import_events, read_event_file
from tests.conftest import FRENCH_USER
from tests.harness import ADMIN, START, Harness

EVENTS_YAML = """\
- key: rabat-workshop-2030
  title: {en: Regional workshop, fr: Atelier régional, ar: ورشة عمل إقليمية}
  description: {en: Two days on local prevention networks.}
  time_zone: Africa/Casablanca
  start: 2030-06-16 10:00
  end: 17:00
  place: Rabat City Hall
  audience: [MA, TN]
  reminders: 3d 2h
- title: {fr: Webinaire sur la cohésion sociale}
  time_zone: Africa/Tunis
  start: 2030-07-01 15:00
  end: 2030-07-01 16:30
  link: https://meet.example.org/webinar
"""

BROKEN_YAML = """\
- title: {de: Workshop}
  time_zone: Mars/Olympus
  start: tomorrow
- title: {en: Roundtable}
  time_zone: Asia/Amman
  start: 2030-06-16 10:00
  end: 2030-06-16 09:00
  audience: [FR]
  reminders: every day
"""


def test_cli_imports_once_and_reports_every_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "data" / "hub.sqlite3"
    monkeypatch.setenv("HUBBOT_DATABASE", str(database))
    monkeypatch.chdir(tmp_path)
    good = tmp_path / "events.yaml"
    good.write_text(EVENTS_YAML, encoding="utf-8")
    assert main(["events", "import", str(good), "--check"]) == 0
    assert "2 event(s) ready" in capsys.readouterr().out
    # A check never writes: no database is created, let alone migrated.
    assert not database.parent.exists()
    assert main(["events", "import", str(good)]) == 0
    assert "2 event(s) imported, 0 already there" in capsys.readouterr().out
    # Imported again: the keyed entry by its key, the other by its titles and start.
    assert main(["events", "import", str(good)]) == 0
    assert "0 event(s) imported, 2 already there" in capsys.readouterr().out
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM events").fetchone() == (2,)
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT starts_at, ends_at, time_zone, audience, reminder_offsets FROM events "
            "WHERE import_key = 'rabat-workshop-2030'"
        ).fetchall()
    assert rows == [
        (
            "2030-06-16T09:00:00+00:00",
            "2030-06-16T16:00:00+00:00",
            "Africa/Casablanca",
            "MA,TN",
            "259200,7200",
        )
    ]
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_YAML, encoding="utf-8")
    assert main(["events", "import", str(broken)]) == 1
    problems = capsys.readouterr().err
    assert "entry 1: title must map ar, fr or en" in problems
    assert "entry 1: time_zone" in problems
    assert "entry 2: the end must come after the start" in problems
    assert "entry 2: audience" in problems
    assert "entry 2: reminders" in problems


def test_a_title_out_of_bounds_is_refused_in_a_sentence(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(
        "- title: {en: Hi}\n  time_zone: Asia/Amman\n  start: 2030-06-16 10:00\n"
        "  end: 12:00\n  place: Amman\n",
        encoding="utf-8",
    )
    with pytest.raises(EventFileError) as error:
        read_event_file(path, ManualClock(START))
    assert str(error.value) == f"{path} entry 1: the en title must have 3 to 150 characters"


async def test_imported_events_reach_focal_points(bot: Harness, tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(EVENTS_YAML, encoding="utf-8")
    report = await import_events(bot.services.events, read_event_file(path, bot.clock), by=ADMIN)
    assert report.created == 2
    registration = bot.services.registration
    await bot.say(FRENCH_USER, "/help")
    invite = await registration.create_invite(country="MA", city="Fes", created_by=ADMIN)
    await registration.redeem(invite.code, user_id=FRENCH_USER, full_name="Karim Benali")
    _, first, second = await bot.say(FRENCH_USER, "/events")
    assert "Atelier régional" in (first.text or "")
    assert "Webinaire sur la cohésion sociale" in (second.text or "")


def test_an_impossible_end_time_is_a_problem_not_a_guess(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(
        "- title: {en: Roundtable}\n"
        "  time_zone: Asia/Amman\n"
        "  start: 2030-06-16 10:00\n"
        "  end: '17:75'\n"
        "  place: Amman\n"
        "- title: {en: Webinar}\n"
        "  time_zone: Asia/Amman\n"
        "  start: 2030-06-16 10:00\n"
        "  end: 12:00\n"
        f"  link: https://meet.example.org/{'x' * 400}\n",
        encoding="utf-8",
    )
    with pytest.raises(EventFileError) as error:
        read_event_file(path, ManualClock(START))
    assert "entry 1: start and end must read like" in str(error.value)
    assert "entry 2: link" in str(error.value)


def test_a_plain_http_link_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    path.write_text(
        "- title: {en: Webinar}\n"
        "  time_zone: Africa/Tunis\n"
        "  start: 2030-07-01 15:00\n"
        "  end: 16:00\n"
        "  link: http://meet.example.org/webinar\n",
        encoding="utf-8",
    )
    with pytest.raises(EventFileError) as error:
        read_event_file(path, ManualClock(START))
    assert "entry 1: link must start with https://" in str(error.value)


def test_a_file_error_is_one_line_without_log_lines_around_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("HUBBOT_DATABASE", str(tmp_path / "hub.sqlite3"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "events.yaml"
    path.write_text("just a sentence\n", encoding="utf-8")
    caplog.set_level(logging.INFO)
    assert main(["events", "import", str(path)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"{path}: expected a list of events"]
    assert [record.getMessage() for record in caplog.records] == []
