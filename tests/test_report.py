"""`hubbot report`: the workbook read back and every headline figure checked against the
database; CSV exports on standard output keep their byte-order mark."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import subprocess
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.__main__ import main
from storage.bulk import insert_rows
from storage.db import Database
from tests import stats_fixture
from tests.harness import label

FIRST, LAST = "2026-01-01", "2026-06-30"
START, END = "2026-01-01T00:00:00+00:00", "2026-07-01T00:00:00+00:00"
FORMULA = '=HYPERLINK("http://evil.example", "x")'


async def _known_database(path: Path) -> None:
    db = Database(path)
    await db.open()
    await stats_fixture.fill(db)
    await insert_rows(
        db,
        "questions",
        [
            # Asked by three people, so the workbook lists it.
            {
                "user_id": user,
                "text": FORMULA,
                "language": "en",
                "status": "unanswered",
                "created_at": stats_fixture.at("2026-06-06"),
            }
            for user in (22, 23, 32)
        ],
    )
    await db.close()


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "hub.sqlite3"
    asyncio.run(_known_database(path))
    monkeypatch.setenv("HUBBOT_DATABASE", str(path))
    monkeypatch.chdir(tmp_path)
    return path


def _count(database: Path, sql: str) -> int:
    with sqlite3.connect(database) as connection:
        [(value,)] = connection.execute(sql, {"start": START, "end": END}).fetchall()
    return int(value)


def test_report_figures_match_the_database(database: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "hub-report.xlsx"
    arguments = ["report", "--from", FIRST, "--to", LAST, "--output", str(output)]
    assert main([*arguments, "--language", "ar"]) == 0
    workbook = openpyxl.load_workbook(output)
    summary = workbook.worksheets[0]
    assert summary.title == label("ar", "Summary")
    assert all(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)
    rows = list(summary.iter_rows(min_row=3, max_col=3, values_only=True))
    # Counts in the period, then totals at its end, each column named.
    assert rows[0] == (
        label("ar", "Figure"),
        label("ar", "In the period"),
        label("ar", "In all, at the end of the period"),
    )
    figures = {row[0]: row[1] for row in rows[1:]}
    totals = {row[0]: row[2] for row in rows[1:]}

    def figure(name: str) -> object:
        return figures[label("ar", name)]

    def total(name: str) -> object:
        return totals[label("ar", name)]

    in_window = "BETWEEN :start AND :end"
    counted = {
        "Focal points registered": "SELECT COUNT(*) FROM focal_points"
        f" WHERE created_at {in_window}",
        "Focal points approved": "SELECT COUNT(*) FROM focal_points WHERE status = 'approved'"
        f" AND reviewed_at {in_window}",
        "Questions asked": f"SELECT COUNT(*) FROM questions_asked WHERE asked_at {in_window}",
        "Questions answered": "SELECT COUNT(*) FROM questions_asked WHERE outcome = 'answered'"
        f" AND asked_at {in_window}",
        "Questions without an answer": "SELECT COUNT(*) FROM questions_asked"
        f" WHERE outcome = 'declined' AND asked_at {in_window}",
        "Questions sent to staff": f"SELECT COUNT(*) FROM questions WHERE forwarded_at {in_window}",
        "Support requests filed": "SELECT COUNT(*) FROM support_requests"
        f" WHERE created_at {in_window}",
        "Events": f"SELECT COUNT(*) FROM events WHERE starts_at {in_window}",
        "Invited": "SELECT COUNT(*) FROM event_notices n JOIN events e ON e.id = n.event_id"
        f" WHERE n.kind = 'invitation' AND n.state != 'skipped' AND e.starts_at {in_window}",
        "Going": "SELECT COUNT(*) FROM event_rsvps v JOIN events e ON e.id = v.event_id"
        f" WHERE v.answer = 'going' AND e.starts_at {in_window}",
        "Maybe": "SELECT COUNT(*) FROM event_rsvps v JOIN events e ON e.id = v.event_id"
        f" WHERE v.answer = 'maybe' AND e.starts_at {in_window}",
        "Not going": "SELECT COUNT(*) FROM event_rsvps v JOIN events e ON e.id = v.event_id"
        f" WHERE v.answer = 'no' AND e.starts_at {in_window}",
        "Reminders sent": "SELECT COUNT(*) FROM event_notices n JOIN events e ON e.id = n.event_id"
        f" WHERE n.kind = 'reminder' AND n.state = 'sent' AND e.starts_at {in_window}",
        "Broadcasts": f"SELECT COUNT(*) FROM broadcasts WHERE scheduled_for {in_window}",
        "Recipients": "SELECT COUNT(*) FROM broadcast_recipients r JOIN broadcasts b"
        f" ON b.id = r.broadcast_id WHERE b.scheduled_for {in_window}",
        "Delivered": "SELECT COUNT(*) FROM broadcast_recipients r JOIN broadcasts b"
        f" ON b.id = r.broadcast_id WHERE r.state = 'sent' AND b.scheduled_for {in_window}",
        "Blocked the bot": "SELECT COUNT(*) FROM broadcast_recipients r JOIN broadcasts b"
        f" ON b.id = r.broadcast_id WHERE r.state = 'blocked' AND b.scheduled_for {in_window}",
        "Failed": "SELECT COUNT(*) FROM broadcast_recipients r JOIN broadcasts b"
        f" ON b.id = r.broadcast_id WHERE r.state = 'failed' AND b.scheduled_for {in_window}",
    }
    for name, sql in counted.items():
        assert figure(name) == _count(database, sql), name
    # Worked out by hand from tests/stats_fixture.py: Cairo's focal point last wrote in 2025.
    assert figure("Active focal points") == 10
    assert (figure("Network cities reached"), total("Network cities")) == (9, 29)
    assert total("Focal points registered") == _count(
        database, "SELECT COUNT(*) FROM focal_points WHERE created_at < :end"
    )
    assert total("Focal points approved") == _count(
        database,
        "SELECT COUNT(*) FROM focal_points WHERE status = 'approved' AND reviewed_at < :end",
    )
    assert total("Focal points approved") != figure("Focal points approved")
    # No invisible direction isolates in any cell: the sheet's direction lays Arabic out.
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not (isinstance(value, str) and {"\u2068", "\u2069"} & set(value))
    assert figure("Median hours for staff to answer") == 3
    assert figure("Median hours to the first staff response") == 6
    assert figure("Median days to completion") == 5

    requests = workbook.worksheets[3]
    assert requests.cell(1, 4).value == label("ar", "Reference")
    references = [row[3] for row in requests.iter_rows(min_row=2, values_only=True) if row[3]]
    assert len(references) == _count(
        database, f"SELECT COUNT(*) FROM support_requests WHERE created_at {in_window}"
    )
    history = workbook.worksheets[4]
    assert history.max_row - 1 == _count(
        database,
        "SELECT COUNT(*) FROM support_request_events e JOIN support_requests r"
        f" ON r.id = e.request_id WHERE r.created_at {in_window}",
    )
    # Typed text stays text: a question written as a formula is not one in the workbook.
    questions = workbook.worksheets[2]
    [cell] = [
        cell for row in questions.iter_rows() for cell in row if cell.value == FORMULA.lower()
    ]
    assert cell.data_type == "s"
    with zipfile.ZipFile(output) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
    assert len(charts) == 3


def test_report_refuses_a_backwards_period(database: Path, tmp_path: Path) -> None:
    output = tmp_path / "x.xlsx"
    assert main(["report", "--from", LAST, "--to", FIRST, "--output", str(output)]) == 2
    assert not output.exists()
    with pytest.raises(SystemExit) as exit_status:
        main(["report", "--from", "June", "--to", LAST, "--output", str(output)])
    assert exit_status.value.code == 2


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(database: Path, tmp_path: Path) -> None:
    output = tmp_path / "hub-report.xlsx"
    assert main(["report", "--from", FIRST, "--to", LAST, "--output", str(output)]) == 0
    result = subprocess.run(
        ["soffice", "--headless", "--convert-to", "csv", "--outdir", str(tmp_path), str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "hub-report.csv").read_text(encoding="utf-8").strip()


def test_csv_on_standard_output_keeps_the_byte_order_mark(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "requests"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffreference,")
    assert "TSR-2026-0002" in out


def test_workbook_row_times_are_in_the_staff_time_zone(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff in Honolulu (UTC-10): a request filed at 09:00 UTC was filed at 23:00 the day
    before where they are, and the workbook says so, naming the zone in each time column."""
    zone = "Pacific/Honolulu"
    monkeypatch.setenv("HUBBOT_STAFF_TIME_ZONE", zone)
    output = tmp_path / "hub-report.xlsx"
    assert main(["report", "--from", FIRST, "--to", LAST, "--output", str(output)]) == 0
    workbook = openpyxl.load_workbook(output)
    requests, history = workbook.worksheets[3], workbook.worksheets[4]
    assert requests.cell(1, 5).value == label("en", "Filed ({zone})", zone=zone)
    assert history.cell(1, 2).value == label("en", "Date ({zone})", zone=zone)
    with sqlite3.connect(database) as connection:
        filed = dict(connection.execute("SELECT reference, created_at FROM support_requests"))
    shown = {row[3]: row[4] for row in requests.iter_rows(min_row=2, values_only=True) if row[3]}
    assert shown
    for reference, when in shown.items():
        utc = datetime.fromisoformat(filed[reference])
        local = utc.astimezone(ZoneInfo(zone))
        assert when == local.replace(tzinfo=None), reference
        # Every fixture request was filed at 09:00 UTC: the day before in Honolulu.
        assert when.date() == utc.date() - timedelta(days=1)
    headers = {
        sheet.title: [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        for sheet in workbook.worksheets
    }
    assert not any("UTC" in str(value) for values in headers.values() for value in values)
