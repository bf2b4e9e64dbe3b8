"""Hub events, by kind of code.

form.py (the staff's two forms), rules.py (what an event may be), service.py (answers, rosters,
changes), planning.py (which reminders, as a pure function), reminders.py (sending them),
calendar.py (.ics files), file_import.py (events from a YAML or JSON file).
"""

from bot.events.form import EDIT_FLOW, EDIT_STEPS, NEW_FLOW, TEXT_STEPS
from bot.events.rules import (
    ANSWERS,
    AUDIENCE_COUNTRIES,
    DEFAULT_REMINDER_OFFSETS_S,
    DESCRIPTION_MAX_CHARS,
    LINK_MAX_CHARS,
    LINK_PATTERN,
    MAX_EVENT_LENGTH,
    PLACE_CHARS,
    TITLE_CHARS,
    draft_times,
    is_online_link,
    languages_given,
    parse_end,
    parse_local,
    parse_offsets,
    split_place,
    to_utc,
)
from bot.events.service import (
    AnswerOutcome,
    AnswerStatus,
    ChangedMeanwhile,
    EditOutcome,
    EventService,
    Roster,
    RosterEntry,
)

__all__ = [
    "ANSWERS",
    "AUDIENCE_COUNTRIES",
    "DEFAULT_REMINDER_OFFSETS_S",
    "DESCRIPTION_MAX_CHARS",
    "EDIT_FLOW",
    "EDIT_STEPS",
    "LINK_MAX_CHARS",
    "LINK_PATTERN",
    "MAX_EVENT_LENGTH",
    "NEW_FLOW",
    "PLACE_CHARS",
    "TEXT_STEPS",
    "TITLE_CHARS",
    "AnswerOutcome",
    "AnswerStatus",
    "ChangedMeanwhile",
    "EditOutcome",
    "EventService",
    "Roster",
    "RosterEntry",
    "draft_times",
    "is_online_link",
    "languages_given",
    "parse_end",
    "parse_local",
    "parse_offsets",
    "split_place",
    "to_utc",
]
