"""Staff broadcasts: the compose form (form.py), and the service that plans and delivers them."""

from bot.broadcasts.form import FLOW, Answers, BroadcastForm, Problem, Step, answers
from bot.broadcasts.service import (
    AudienceKind,
    AudiencePreview,
    BroadcastService,
    DeliverySummary,
    describe_delay,
    parse_local_time,
    version_for,
    visible_length,
)
from bot.forms import StepOutcome

__all__ = [
    "FLOW",
    "Answers",
    "AudienceKind",
    "AudiencePreview",
    "BroadcastForm",
    "BroadcastService",
    "DeliverySummary",
    "Problem",
    "Step",
    "StepOutcome",
    "answers",
    "describe_delay",
    "parse_local_time",
    "version_for",
    "visible_length",
]
