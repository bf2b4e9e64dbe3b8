"""The ``hubbot`` command line: run the bot, try it in a console, administer it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeAlias

from bot import operations
from bot.cli_arguments import (
    OneLineParser,
    backup_target,
    bot_username,
    city_name,
    readable_file,
    telegram_user_id,
    workbook_file,
    writable_file,
)
from bot.clock import SystemClock
from bot.config import SUPPORTED_LANGUAGES, Config, ConfigError, load_config
from bot.geography import COUNTRIES_BY_CODE, OTHER_COUNTRY
from bot.i18n import CatalogError
from bot.services import Services

logger = logging.getLogger("hubbot")

# Each sub-command runs one of these (argparse's set_defaults), with the loaded configuration.
Command = Callable[[Config, argparse.Namespace], int]
SubCommands: TypeAlias = "argparse._SubParsersAction[Any]"

# So spreadsheet programs read the Arabic as UTF-8.
CSV_BYTE_ORDER_MARK = "\ufeff"
CONSOLE_LOG = Path("data") / "console.log"
NOTHING_LEARNED = "# no questions learned yet\n"


def _parser() -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = OneLineParser(
        prog="hubbot", description="MENA Hub Telegram bot"
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show log lines (HUBBOT_LOG_LEVEL)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    _bot_commands(commands)
    _admin_commands(commands)
    _content_commands(commands)
    _database_commands(commands)
    _report_commands(commands)
    _health_commands(commands)
    operations.add_commands(commands)
    return parser


def _bot_commands(commands: SubCommands) -> None:
    """Running the bot, in Telegram or in this terminal."""
    run = commands.add_parser("run", help="run the bot (long polling, or a webhook if configured)")
    run.add_argument(
        "--console-if-no-token",
        action="store_true",
        help="open the console instead when HUBBOT_TOKEN is not set",
    )
    run.set_defaults(command_function=_run)

    console = commands.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument(
        "--language", choices=("ar", "fr", "en"), help="the console user's language (kept)"
    )
    console.add_argument(
        "--database",
        type=writable_file,
        default=Path("data") / "console.sqlite3",
        help="console database",
    )
    console.set_defaults(command_function=_console)


def _admin_commands(commands: SubCommands) -> None:
    """Staff and invites."""
    staff = commands.add_parser("staff", help="manage hub staff")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    for name in ("add", "remove"):
        sub = staff_commands.add_parser(name)
        sub.add_argument("user_id", type=telegram_user_id, help="numeric Telegram user id")
    staff_commands.add_parser("list")
    staff.set_defaults(command_function=_with(_staff))

    invite = commands.add_parser("invite", help="create a one-time invite link for a city")
    invite.add_argument("city", type=city_name)
    invite.add_argument(
        "--country",
        required=True,
        choices=sorted(set(COUNTRIES_BY_CODE) - {OTHER_COUNTRY}),
        help="country code",
    )
    invite.add_argument(
        "--bot-username", type=bot_username, help="the bot's @username, for the link"
    )
    invite.set_defaults(command_function=_with(_invite))


def _content_commands(commands: SubCommands) -> None:
    """The knowledge base and events."""
    ask = commands.add_parser("ask", help="answer questions from the knowledge base")
    ask.add_argument("question", nargs="?", help="the question (or --batch)")
    ask.add_argument("--lang", choices=("ar", "fr", "en"), help="answer language (else detected)")
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("--batch", action="store_true", help="one question per line on stdin")
    ask.add_argument(
        "--files",
        action="store_true",
        help="answer from the content files instead of the live knowledge base in the database",
    )
    ask.set_defaults(command_function=_ask)

    content = commands.add_parser("content", help="knowledge base content")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    check = content_commands.add_parser("check", help="validate the content files")
    check.add_argument(
        "--topics", type=readable_file, help="a topics document whose slugs must all be present"
    )
    check.add_argument(
        "directory", nargs="?", type=Path, help="the folder to check (default: the content's)"
    )
    check.set_defaults(command_function=_content_check)
    export = content_commands.add_parser(
        "export", help="write the live entries of the database as YAML files into DIR"
    )
    export.add_argument("directory", type=Path, metavar="DIR")
    export.set_defaults(command_function=_with(_content_export))
    load = content_commands.add_parser(
        "import",
        help="publish the new and changed entries of DIR, after the checks of 'content check'",
    )
    load.add_argument("directory", type=Path, metavar="DIR")
    load.set_defaults(command_function=_with(_content_import))
    learned = content_commands.add_parser(
        "questions", help="example questions staff taught the bot (kept in the database)"
    )
    learned.add_argument(
        "--export", action="store_true", required=True, help="print them as YAML, per entry"
    )
    learned.set_defaults(command_function=_learned_questions)

    events = commands.add_parser("events", help="Hub events")
    event_commands = events.add_subparsers(dest="events_command", required=True)
    event_import = event_commands.add_parser(
        "import", help="import events from a YAML or JSON file (see bot/events/file_import.py)"
    )
    event_import.add_argument("path", type=readable_file)
    event_import.add_argument(
        "--check", action="store_true", help="only check the file; import nothing"
    )
    event_import.set_defaults(command_function=_import_events)


def _database_commands(commands: SubCommands) -> None:
    """The database: migrations and backups."""
    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(command_function=_with(lambda services, _: _noop(services)))
    backup = commands.add_parser(
        "backup", help="consistent copy of the database, even while running"
    )
    backup.add_argument(
        "path", type=backup_target, help="a new file, or a folder for hubbot-DATE-TIME.sqlite3"
    )
    backup.set_defaults(command_function=_with(lambda services, a: _backup(services, a.path)))


def _report_commands(commands: SubCommands) -> None:
    """Exports and reports."""
    export = commands.add_parser("export", help="export data for reporting")
    export_commands = export.add_subparsers(dest="export_command", required=True)
    export_requests = export_commands.add_parser(
        "requests", help="support requests with their history"
    )
    export_requests.add_argument("--format", choices=("csv",), default="csv")
    export_requests.add_argument(
        "--output", type=writable_file, help="write to this file instead of standard output"
    )
    export_requests.set_defaults(
        command_function=_with(lambda services, a: _export_requests(services, a.output))
    )

    report = commands.add_parser("report", help="the Hub's report as an Excel workbook")
    report.add_argument("--from", dest="first_day", type=_day, required=True, metavar="YYYY-MM-DD")
    report.add_argument("--to", dest="last_day", type=_day, required=True, metavar="YYYY-MM-DD")
    report.add_argument(
        "--output", type=workbook_file, required=True, help="the .xlsx file to write"
    )
    report.add_argument("--language", choices=SUPPORTED_LANGUAGES, default="en")
    report.set_defaults(command_function=_with(_report))


def _health_commands(commands: SubCommands) -> None:
    """Checks and recovery."""
    doctor = commands.add_parser("doctor", help="check the token, staff chat, database, backups")
    doctor.add_argument("--language", choices=SUPPORTED_LANGUAGES, help="else the staff's")
    doctor.set_defaults(command_function=lambda config, a: asyncio.run(_doctor(config, a)))
    restore = commands.add_parser(
        "restore", help="replace the database with a backup, after checking it (stop the bot)"
    )
    restore.add_argument("path", type=readable_file)
    restore.set_defaults(command_function=lambda config, a: _restore(config, a.path))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-06-30") from None


async def _with_services(config: Config, action: Callable[[Services], Awaitable[int]]) -> int:
    services = await Services.open(config, SystemClock())
    try:
        return int(await action(services))
    finally:
        await services.close()


async def _staff(services: Services, args: argparse.Namespace) -> int:
    accounts = services.accounts
    if args.staff_command == "list":
        for listing in await accounts.list_staff():
            name = listing.user.display_name if listing.user else "(has not opened the bot)"
            origin = "configuration" if listing.member.from_config else "database"
            print(f"{listing.member.user_id}\t{name}\t{origin}")
        return 0
    if args.staff_command == "add":
        added = await accounts.add_staff(args.user_id, added_by=None)
        print(f"{args.user_id} added to staff" if added else f"{args.user_id} is already staff")
        return 0
    if accounts.is_admin(args.user_id):
        print(f"{args.user_id} is staff through HUBBOT_ADMIN_IDS; change the configuration")
        return 1
    removed = await accounts.remove_staff(args.user_id)
    await services.console.forget(args.user_id)  # their console sessions end now
    print(f"{args.user_id} removed from staff" if removed else f"{args.user_id} was not staff")
    return 0 if removed else 1


async def _invite(services: Services, args: argparse.Namespace) -> int:
    from bot.operations import BotUsernameError, bot_username_from_telegram

    username = args.bot_username
    if username is None:
        # Asked before the invite is made: a refusal leaves no unusable invite behind.
        try:
            username = await bot_username_from_telegram(services.config)
        except BotUsernameError as error:
            print(f"hubbot invite: {error}", file=sys.stderr)
            return 2
    invite = await services.registration.create_invite(
        country=args.country, city=args.city, created_by=None
    )
    print(f"https://t.me/{username.lstrip('@')}?start={invite.code}")
    print(f"expires {invite.expires_at:%Y-%m-%d %H:%M} UTC; usable once")
    return 0


async def _export_requests(services: Services, output: Path | None) -> int:
    # English labels: the export feeds reports to donors.
    content = await services.support.export_csv(services.translator("en"))
    if output is None:
        # The byte-order mark here too: the output is often redirected into a .csv file.
        sys.stdout.write(CSV_BYTE_ORDER_MARK + content)
        return 0
    try:
        await asyncio.to_thread(_write_csv, output, content)
    except OSError as error:
        print(f"hubbot: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 1
    print(f"support requests written to {output}", file=sys.stderr)
    return 0


def _write_csv(output: Path, content: str) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(CSV_BYTE_ORDER_MARK + content, encoding="utf-8", newline="")


async def _report(services: Services, args: argparse.Namespace) -> int:
    from bot.stats.workbook import build_workbook

    if args.last_day < args.first_day:
        print("hubbot report: --to is before --from", file=sys.stderr)
        return 2
    window = services.stats.days(args.first_day, args.last_day)
    report = await services.stats.report(window)
    content = await asyncio.to_thread(build_workbook, services.translator(args.language), report)
    try:
        await asyncio.to_thread(_write_file, args.output, content)
    except OSError as error:
        print(f"hubbot report: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    print(f"report written to {args.output}", file=sys.stderr)
    return 0


def _write_file(output: Path, content: bytes) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)


async def _doctor(config: Config, args: argparse.Namespace) -> int:
    from bot.doctor import run_checks
    from bot.i18n import Catalogs

    translator = Catalogs.load().translator(args.language or config.staff_language)
    checks = await run_checks(config, translator, SystemClock().now)
    for check in checks:
        print(check.line())
    return 0 if all(check.passed for check in checks) else 1


def _restore(config: Config, path: Path) -> int:
    from bot.backups import RestoreError, restore

    try:
        kept = restore(path, config.database_path, now=SystemClock().now())
    except RestoreError as error:
        print(f"hubbot restore: {error}; the database was not touched", file=sys.stderr)
        return 1
    print(f"database {config.database_path} restored from {path}")
    if kept is not None:
        print(f"the replaced database was kept as {kept}")
    return 0


def _import_events(config: Config, args: argparse.Namespace) -> int:
    """The file is read and checked before the database is opened: a check writes nothing,
    and a file with problems gets its list of problems alone."""
    from bot.events.file_import import EventFileError, import_events, read_event_file

    try:
        entries = read_event_file(args.path, SystemClock())
    except EventFileError as error:
        print(error, file=sys.stderr)
        return 1
    if args.check:
        print(f"{len(entries)} event(s) ready to import")
        return 0

    async def save(services: Services) -> int:
        report = await import_events(services.events, entries, by=None)
        print(f"{report.created} event(s) imported, {report.already_there} already there")
        return 0

    return asyncio.run(_with_services(config, save))


def _backup_file(path: Path, now: datetime) -> Path:
    from bot.backups import dated_name

    return (path / dated_name(now) if path.is_dir() else path).absolute()


async def _backup(services: Services, path: Path) -> int:
    now = services.clock.now()
    target = await asyncio.to_thread(_backup_file, path, now)
    try:
        await services.db.backup(target)
    except (OSError, sqlite3.Error) as error:
        print(f"hubbot: cannot write the backup to {target}: {error}", file=sys.stderr)
        return 1
    # Recorded, so hubbot doctor counts it whatever its name and folder.
    await services.backup_log.record(target, now)
    print(f"backup written to {target}")
    print(f"to go back to it: hubbot restore {target}")
    return 0


def _run(config: Config, args: argparse.Namespace) -> int:
    if config.token is None and args.console_if_no_token:
        print("HUBBOT_TOKEN is not set: opening the console instead (see README to get a token).")
        from bot.terminal import main as console_main

        return console_main(language=None, database=Path("data") / "console.sqlite3")
    from bot.app import build_application

    application = build_application(config, settle_heap=True)
    if config.webhook_url:
        from bot.webhook import run_webhook, webhook_secret

        _, kept_in = webhook_secret(config)
        if kept_in is not None:
            print(
                f"webhook secret kept in {kept_in} (or set HUBBOT_WEBHOOK_SECRET)", file=sys.stderr
            )
        run_webhook(application, config)
    else:
        application.run_polling()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = load_config()
        console = args.command == "console" or (
            args.command == "run" and config.token is None and args.console_if_no_token
        )
        if console:
            # In the terminal, log lines would interleave with the conversation.
            CONSOLE_LOG.parent.mkdir(parents=True, exist_ok=True)
        # A command prints its result; its log lines only with --verbose (the bot's own run
        # and the console's log file keep HUBBOT_LOG_LEVEL).
        logs_kept = console or args.command == "run" or args.verbose
        logging.basicConfig(
            level=config.log_level if logs_kept else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            filename=CONSOLE_LOG if console else None,
        )
        # httpx logs every Bot API request at INFO, which would drown everything else.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        command: Command = args.command_function
        return command(config, args)
    except (ConfigError, CatalogError) as error:
        print(f"hubbot: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _with(action: Callable[[Services, argparse.Namespace], Awaitable[int]]) -> Command:
    """A command that needs the database and the services, opened and closed around it."""

    def command(config: Config, args: argparse.Namespace) -> int:
        return asyncio.run(_with_services(config, lambda services: action(services, args)))

    return command


def _console(config: Config, args: argparse.Namespace) -> int:
    from bot.terminal import main as console_main

    return console_main(language=args.language, database=args.database, staff_console=config)


def _ask(config: Config, args: argparse.Namespace) -> int:
    """Answer as the running bot would: from the live entries in the database, with the
    questions and intents staff taught (the first start imports the content folder, so a
    missing database means the content files); --files answers from the files alone."""
    if args.batch == (args.question is not None):
        print("hubbot ask: give one QUESTION, or --batch to read questions from stdin")
        return 2
    questions = sys.stdin if args.batch else [args.question]
    if args.files or not config.database_path.is_file():
        if not args.files:
            print(
                f"hubbot ask: no database at {config.database_path} yet: answering from the"
                " content files, as the bot's first start would",
                file=sys.stderr,
            )
        return _ask_files(config, args, questions)
    return asyncio.run(
        _with_services(config, lambda services: _ask_live(services, args, questions))
    )


async def _ask_live(services: Services, args: argparse.Namespace, questions: Iterable[str]) -> int:
    from bot.knowledge.cli import ask

    report = await services.knowledge.reload()
    for problem in report.problems:
        if problem.is_error:
            print(f"content: {problem}", file=sys.stderr)
    knowledge = services.knowledge
    return ask(
        questions,
        index=knowledge.index,
        intents=knowledge.intents,
        lang=args.lang,
        as_json=args.json,
        out=sys.stdout,
        catalogs=services.catalogs,
    )


def _ask_files(config: Config, args: argparse.Namespace, questions: Iterable[str]) -> int:
    from bot.knowledge import KnowledgeIndex, load_directory
    from bot.knowledge.cli import ask
    from bot.knowledge.intents import INTENTS_FILE_NAME, IntentRecognizer, load_intents
    from bot.knowledge.synonyms import SYNONYMS_FILE_NAME, load_synonyms

    loaded = load_directory(config.content_dir / "knowledge")
    for problem in loaded.errors:
        print(f"content: {problem}", file=sys.stderr)
    synonyms, problems = load_synonyms(config.content_dir / SYNONYMS_FILE_NAME)
    for problem in problems:
        print(f"content: {problem}", file=sys.stderr)
    catalog, problems = load_intents(config.content_dir / INTENTS_FILE_NAME)
    for problem in problems:
        if problem.is_error:
            print(f"content: {problem}", file=sys.stderr)
    index = KnowledgeIndex.build(loaded.entries, synonyms=synonyms)
    intents = IntentRecognizer(catalog, synonyms=synonyms)
    return ask(
        questions, index=index, intents=intents, lang=args.lang, as_json=args.json, out=sys.stdout
    )


def _content_check(config: Config, args: argparse.Namespace) -> int:
    from bot.knowledge import slugs_from_topics_markdown
    from bot.knowledge.cli import content_check
    from bot.knowledge.intents import INTENTS_FILE_NAME
    from bot.knowledge.synonyms import SYNONYMS_FILE_NAME

    expected = (
        slugs_from_topics_markdown(args.topics.read_text(encoding="utf-8")) if args.topics else None
    )
    return content_check(
        args.directory or config.content_dir / "knowledge",
        expected,
        sys.stdout,
        synonyms_file=config.content_dir / SYNONYMS_FILE_NAME,
        intents_file=config.content_dir / INTENTS_FILE_NAME,
    )


def _learned_questions(config: Config, args: argparse.Namespace) -> int:
    if not config.database_path.is_file():
        # Nothing was learned where there is no database; printing that creates none.
        sys.stdout.write(NOTHING_LEARNED)
        return 0
    return _with(lambda services, _: _export_learned_questions(services))(config, args)


async def _export_learned_questions(services: Services) -> int:
    sys.stdout.write(await services.knowledge.export_learned() or NOTHING_LEARNED)
    return 0


async def _content_export(services: Services, args: argparse.Namespace) -> int:
    # A database the bot never started with gets the content folder first, as the bot would.
    await services.knowledge.reload()
    written = await services.knowledge_editor.export_folder(args.directory)
    print(f"{written} entries written to {args.directory}")
    return 0


async def _content_import(services: Services, args: argparse.Namespace) -> int:
    if not args.directory.is_dir():
        print(f"hubbot content import: {args.directory} is not a folder", file=sys.stderr)
        return 2
    report = await services.knowledge_editor.import_folder(args.directory)
    for problem in report.problems:
        print(problem)
    if report.refused:
        print("nothing imported: correct the errors above (see 'hubbot content check DIR')")
        return 1
    print(f"{report.imported} entries published; run /reload in the bot to answer with them")
    return 0


async def _noop(services: Services) -> int:
    applied = services.db.applied_migrations
    if applied:
        versions = ", ".join(map(str, applied))
        print(f"database {services.config.database_path} migrated: applied {versions}")
    else:
        print(f"database {services.config.database_path} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
