"""Configuration errors in one line, and the command line: staff, invites, migrate, backup."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.config import ConfigError, load_config
from storage.migrations import MIGRATIONS
from tests.harness import TOKEN

VALID = {"HUBBOT_TOKEN": TOKEN}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"HUBBOT_TOKEN": "not-a-token"}, "HUBBOT_TOKEN"),
        ({**VALID, "HUBBOT_ADMIN_IDS": "123,@hala"}, "HUBBOT_ADMIN_IDS"),
        ({**VALID, "HUBBOT_STAFF_CHAT_ID": "staff"}, "HUBBOT_STAFF_CHAT_ID"),
        ({**VALID, "HUBBOT_LOG_LEVEL": "LOUD"}, "HUBBOT_LOG_LEVEL"),
        ({**VALID, "HUBBOT_API_BASE_URL": "ftp://x"}, "HUBBOT_API_BASE_URL"),
        ({**VALID, "HUBBOT_INVITE_TTL_HOURS": "0"}, "HUBBOT_INVITE_TTL_HOURS"),
        ({**VALID, "HUBBOT_STAFF_LANGUAGE": "de"}, "HUBBOT_STAFF_LANGUAGE"),
        ({**VALID, "HUBBOT_STAFF_TIME_ZONE": "Mars/Olympus"}, "HUBBOT_STAFF_TIME_ZONE"),
        ({**VALID, "HUBBOT_STAFF_TIME_ZONE": "../etc/passwd"}, "HUBBOT_STAFF_TIME_ZONE"),
    ],
)
def test_malformed_values_fail_with_one_clear_line(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load_config(environ)
    assert "\n" not in str(raised.value)


def test_values_are_read() -> None:
    config = load_config(
        {
            **VALID,
            "HUBBOT_ADMIN_IDS": "11, 22",
            "HUBBOT_STAFF_CHAT_ID": "-1001",
            "HUBBOT_DATABASE": "/tmp/x.sqlite3",
            "HUBBOT_API_BASE_URL": "http://127.0.0.1:8081/bot",
            "HUBBOT_STAFF_TIME_ZONE": "africa/casablanca",
        }
    )
    assert config.staff_time_zone == "Africa/Casablanca"
    assert load_config(VALID).staff_time_zone == "UTC"
    assert config.admin_ids == frozenset({11, 22})
    assert config.staff_chat_id == -1001
    assert config.database_path == Path("/tmp/x.sqlite3")
    assert config.api_file_url == "http://127.0.0.1:8081/file/bot"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run"], "HUBBOT_TOKEN"),
        # A bad argument (an output under a file): refused before any work (issue 13).
        (["export", "requests", "--output", "{tmp}/notes.txt/x.csv"], "cannot write"),
    ],
)
def test_a_refusal_is_one_line_without_a_traceback(
    tmp_path: Path, argv: list[str], says: str
) -> None:
    (tmp_path / "notes.txt").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "bot", *(part.format(tmp=tmp_path) for part in argv)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={
            "PATH": "/usr/bin:/bin",
            "HUBBOT_DATABASE": str(tmp_path / "db.sqlite3"),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        },
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_staff_invite_migrate_and_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "hub.sqlite3"
    monkeypatch.setenv("HUBBOT_DATABASE", str(database))
    monkeypatch.setenv("HUBBOT_ADMIN_IDS", "100")
    monkeypatch.chdir(tmp_path)
    assert main(["migrate"]) == 0
    assert main(["staff", "add", "555"]) == 0
    assert main(["staff", "list"]) == 0
    listing = capsys.readouterr().out
    assert "555" in listing
    assert "100" in listing
    assert main(["staff", "remove", "100"]) == 1
    assert main(["invite", "Tetouan", "--country", "MA", "--bot-username", "@MenaHubBot"]) == 0
    link = capsys.readouterr().out.splitlines()[-2]
    assert link.startswith("https://t.me/MenaHubBot?start=inv-")
    backup = tmp_path / "copy" / "backup.sqlite3"
    assert main(["backup", str(backup)]) == 0
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT user_id FROM staff").fetchall() == [(555,)]
        assert copy.execute("SELECT city FROM invites").fetchall() == [("Tetouan",)]
        versions = copy.execute("SELECT version FROM schema_migrations").fetchall()
    assert versions == [(version,) for version, _, _ in MIGRATIONS]


def test_cli_exports_learned_questions_as_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "hub.sqlite3"
    monkeypatch.setenv("HUBBOT_DATABASE", str(database))
    monkeypatch.chdir(tmp_path)
    assert main(["content", "questions", "--export"]) == 0
    assert "no questions learned yet" in capsys.readouterr().out
    assert not database.exists()  # printing that nothing was learned creates nothing
    assert main(["migrate"]) == 0
    capsys.readouterr()
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO learned_questions (slug, language, text, added_by, added_at)"
            " VALUES (?, ?, ?, 100, '2026-06-01T09:00:00+00:00')",
            [
                ("hub-team-contact", "en", "Is there parking near the venue?"),
                ("hub-team-contact", "ar", "هل يوجد موقف سيارات؟"),
                ("technical-support", "fr", "Qui paie les formations ?"),
            ],
        )
    assert main(["content", "questions", "--export"]) == 0
    exported = yaml.safe_load(capsys.readouterr().out)
    assert exported == {
        "hub-team-contact": {
            "questions": {
                "ar": ["هل يوجد موقف سيارات؟"],
                "en": ["Is there parking near the venue?"],
            }
        },
        "technical-support": {"questions": {"fr": ["Qui paie les formations ?"]}},
    }
