"""The headline figures of each /stats area, named in the reader's language: the workbook's
summary sheet and the console's figures page show this one list, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.i18n import Translator
from bot.stats.service import (
    BroadcastStats,
    EventStats,
    FocalPointStats,
    QuestionStats,
    RequestStats,
)


class AreaFigures(Protocol):
    """What a Report and an Overview both hold."""

    @property
    def focal_points(self) -> FocalPointStats: ...
    @property
    def questions(self) -> QuestionStats: ...
    @property
    def requests(self) -> RequestStats: ...
    @property
    def events(self) -> EventStats: ...
    @property
    def broadcasts(self) -> BroadcastStats: ...


@dataclass(frozen=True)
class Headline:
    """A figure counted in the period, and its total at the period's end where one exists:
    "registered" in the period is never read beside a total as if it were one."""

    label: str
    in_period: float | int | None
    in_all: int | None = None


def headlines(t: Translator, figures: AreaFigures) -> dict[str, list[Headline]]:
    """Per area (the keys of labels.AREA_NAMES), its headline figures in order."""
    fp, q, r, e, b = (
        figures.focal_points,
        figures.questions,
        figures.requests,
        figures.events,
        figures.broadcasts,
    )
    return {
        "fp": [
            Headline(t.label("Focal points registered"), fp.registered, fp.registered_in_all),
            Headline(t.label("Focal points approved"), fp.approved, fp.approved_in_all),
            Headline(t.label("Active focal points"), fp.active),
            Headline(t.label("Network cities reached"), fp.cities_reached),
            Headline(t.label("Network cities"), None, fp.network_cities),
        ],
        "q": [
            Headline(t.label("Questions asked"), q.asked),
            Headline(t.label("Questions answered"), q.answered),
            Headline(t.label("Questions without an answer"), q.declined),
            Headline(t.label("Questions sent to staff"), q.forwarded),
            Headline(t.label("Median hours for staff to answer"), q.median_answer_hours),
        ],
        "r": [
            Headline(t.label("Support requests filed"), r.filed),
            Headline(
                t.label("Median hours to the first staff response"),
                r.median_first_response_hours,
            ),
            Headline(t.label("Median days to completion"), r.median_completion_days),
        ],
        "e": [
            Headline(t.label("Events"), e.events),
            Headline(t.label("Invited"), e.invited),
            Headline(t.label("Going"), e.going),
            Headline(t.label("Maybe"), e.maybe),
            Headline(t.label("Not going"), e.not_going),
            Headline(t.label("Reminders sent"), e.reminders_sent),
        ],
        "b": [
            Headline(t.label("Broadcasts"), b.broadcasts),
            Headline(t.label("Recipients"), b.recipients),
            Headline(t.label("Delivered"), b.delivered),
            Headline(t.label("Blocked the bot"), b.blocked),
            Headline(t.label("Failed"), b.failed),
        ],
    }
