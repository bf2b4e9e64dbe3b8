"""The fixed choices of a support request (topics, kinds, time frames, contact, statuses)."""

from __future__ import annotations

from bot.i18n import N_, Translator

# Short keys: they travel in callback data (64 bytes) and are stored in the database.
# The values are English msgids, translated for each reader when shown.
TOPICS: dict[str, str] = {
    "youth": N_("Youth engagement"),
    "nlc": N_("National-local cooperation"),
    "crisis": N_("Crisis management and response"),
    "rehab": N_("Rehabilitation and reintegration"),
    "online": N_("Online hate and misinformation monitoring"),
    "networks": N_("Local prevention networks"),
    "cohesion": N_("Social cohesion and migration"),
    "gender": N_("Gender and inclusion"),
    "training": N_("Training and capacity building"),
    "peer": N_("Peer exchange with another city"),
    "other": N_("Other"),
}
SUPPORT_KINDS: dict[str, str] = {
    "training": N_("Training"),
    "advice": N_("Advice on a plan or policy"),
    "peer": N_("Peer exchange"),
    "event": N_("Co-organising an event"),
    "resources": N_("Resources or translation"),
}
TIME_FRAMES: dict[str, str] = {
    "urgent": N_("Urgent: within a month"),
    "soon": N_("In 1 to 3 months"),
    "later": N_("Later"),
}
CONTACT_CHANNELS: dict[str, str] = {
    "telegram": N_("Telegram"),
    "email": N_("Email"),
    "phone": N_("Phone"),
}

# Statuses in the order staff move a request through them.
STATUSES: tuple[str, ...] = (
    "new",
    "in_review",
    "waiting_city",
    "accepted",
    "in_progress",
    "completed",
    "declined",
)


def status_name(t: Translator, status: str) -> str:
    """A status in the reader's language; "New" or "Accepted" alone are ambiguous, hence the
    context (written out in full so the extractor sees each message)."""
    names = {
        "new": t.plabel("request status", "New"),
        "in_review": t.plabel("request status", "In review"),
        "waiting_city": t.plabel("request status", "Waiting for the city"),
        "accepted": t.plabel("request status", "Accepted"),
        "in_progress": t.plabel("request status", "In progress"),
        "completed": t.plabel("request status", "Completed"),
        "declined": t.plabel("request status", "Declined"),
    }
    return names.get(status, status)
