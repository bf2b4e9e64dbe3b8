"""Every button the bot shows, by feature: what its data carries, within Telegram's 64 bytes.

A handler module registers a function per route of its feature (handlers.common.register_routes);
any other module may put a feature's button on its keyboard without importing its handlers.
"""

from __future__ import annotations

from bot.broadcasts import AudienceKind
from bot.broadcasts.form import FLOW as BROADCAST_FLOW
from bot.callbacks import ID, INDEX, PAGE, Choice, Feature, Number, Token
from bot.config import SUPPORTED_LANGUAGES
from bot.events import ANSWERS, AUDIENCE_COUNTRIES, EDIT_STEPS
from bot.events.form import EDIT_FLOW, NEW_FLOW
from bot.geography import COUNTRIES, OTHER_COUNTRY
from bot.knowledge.content import TOPICS as KNOWLEDGE_TOPICS
from bot.knowledge.intents import FEATURE_NAMES
from bot.registration import FLOW as REGISTRATION_FLOW
from bot.stats.labels import ALL_COUNTRIES, AREA_NAMES
from bot.stats.periods import Period
from bot.support.form import CHOICES
from bot.support.form import FLOW as REQUEST_FLOW
from bot.support.vocabulary import STATUSES

COUNTRY_CODE = Token(5, alphabet="A-Z")

# -- languages, /settings, /deleteme ------------------------------------------------------------

LANGUAGE = Feature("lang")
CHOOSE_LANGUAGE = LANGUAGE.route("choose", Choice(*SUPPORTED_LANGUAGES))
# From under an answer in another language: the answer stays, the confirmation follows it.
ADOPT_LANGUAGE = LANGUAGE.route("adopt", Choice(*SUPPORTED_LANGUAGES))

SETTINGS = Feature("set")
SETTINGS_LANGUAGE = SETTINGS.route("language")
SETTINGS_TIME_ZONES = SETTINGS.route("zones")
SETTINGS_ZONE = SETTINGS.route("zone", INDEX)
SETTINGS_COUNTRY_ZONE = SETTINGS.route("country_zone")
SETTINGS_KEEP_ZONE = SETTINGS.route("keep_zone")
SETTINGS_PROFILE = SETTINGS.route("profile")

ERASURE = Feature("del")
ERASE = ERASURE.route("erase")
KEEP_DATA = ERASURE.route("keep")

# -- any form left open a while: continue it, or start over -------------------------------------

FORMS = Feature("form")
RESUMABLE_FLOW = Choice(REGISTRATION_FLOW, REQUEST_FLOW, NEW_FLOW, EDIT_FLOW, BROADCAST_FLOW)
FORM_CONTINUE = FORMS.route("continue", RESUMABLE_FLOW)
FORM_RESTART = FORMS.route("restart", RESUMABLE_FLOW)

# -- registration and invites -------------------------------------------------------------------

REGISTRATION = Feature("reg")
REG_START = REGISTRATION.route("start")
REG_BACK = REGISTRATION.route("back")
REG_CANCEL = REGISTRATION.route("cancel")
REG_COUNTRY = REGISTRATION.route("country", COUNTRY_CODE)
REG_CITY = REGISTRATION.route("city", INDEX)
REG_SKIP_EMAIL = REGISTRATION.route("skip")
REG_SUBMIT = REGISTRATION.route("submit")
REG_APPROVE = REGISTRATION.route("approve", ID)
REG_REJECT = REGISTRATION.route("reject", ID)
# /pending: one message with a page of registrations; deciding one from it keeps the page.
REG_PENDING = REGISTRATION.route("pending", PAGE)
REG_PAGE_APPROVE = REGISTRATION.route("papprove", ID, PAGE)
REG_PAGE_REJECT = REGISTRATION.route("preject", ID, PAGE)
# An approved focal point confirming (or not) a move to the city of an invite, by its code.
REG_MOVE = REGISTRATION.route("move", Token(24))
REG_STAY = REGISTRATION.route("stay")

INVITES = Feature("inv")
INVITE_COUNTRY = INVITES.route("country", COUNTRY_CODE)
INVITE_CITY = INVITES.route("city", COUNTRY_CODE, INDEX)

# -- knowledge ----------------------------------------------------------------------------------

KNOWLEDGE = Feature("kb")
KB_TOPICS = KNOWLEDGE.route("topics")
KB_TOPIC = KNOWLEDGE.route("topic", Choice(*KNOWLEDGE_TOPICS), PAGE)
KB_ENTRY = KNOWLEDGE.route("entry", Token(48))
KB_FORWARD = KNOWLEDGE.route("forward", ID)
KB_DISMISS = KNOWLEDGE.route("dismiss")
# Staff file an answered question (the one behind the pressed message) under an entry.
KB_FILE = KNOWLEDGE.route("file")
KB_FILE_TOPIC = KNOWLEDGE.route("file_topic", Choice(*KNOWLEDGE_TOPICS))
KB_FILE_IN = KNOWLEDGE.route("file_in", Token(48))
# ... or under one of the bot's features (bot/knowledge/intents.py).
KB_FILE_INTENT = KNOWLEDGE.route("file_for", Choice(*FEATURE_NAMES))

# -- support requests: the city's side ------------------------------------------------------------

REQUESTS = Feature("req")
REQ_BEGIN = REQUESTS.route("begin")
REQ_RESUME = REQUESTS.route("resume")
REQ_RESTART = REQUESTS.route("restart")
REQ_BACK = REQUESTS.route("back")
REQ_CANCEL = REQUESTS.route("cancel")
REQ_CHOOSE = REQUESTS.route("choose", Choice(*CHOICES), Token(16, alphabet="a-z_"))
REQ_FILES_DONE = REQUESTS.route("done")
REQ_CLEAR_FILES = REQUESTS.route("clear")
# The form's random key: a submit button of an older form sends nothing.
REQ_SUBMIT = REQUESTS.route("submit", Token(16))
REQ_VIEW = REQUESTS.route("view", ID)
REQ_PAGE = REQUESTS.route("page", PAGE)
REQ_ANSWER = REQUESTS.route("answer", ID)
REQ_NO_ANSWER = REQUESTS.route("noanswer")
# A message that asked for support becomes a form whose description it drafts.
REQ_FROM_MESSAGE = REQUESTS.route("frommsg")
REQ_KEEP_DESCRIPTION = REQUESTS.route("keepdesc")

# -- support requests: the staff's side -----------------------------------------------------------

TRIAGE = Feature("tri")
TRI_OPEN = TRIAGE.route("open", ID)
TRI_CARD = TRIAGE.route("card", ID)
# Buttons that change a request carry the version the card showed: pressed on a card that is
# out of date (another staff member changed the request meanwhile), they change nothing.
REQUEST_VERSION = Number(9)
TRI_MINE = TRIAGE.route("mine", ID, REQUEST_VERSION)
TRI_ASSIGNEES = TRIAGE.route("assignees", ID, REQUEST_VERSION)
# The assignee's user id; 0 for nobody.
TRI_ASSIGN = TRIAGE.route("assign", ID, ID, REQUEST_VERSION)
TRI_STATUSES = TRIAGE.route("statuses", ID, REQUEST_VERSION)
TRI_STATUS = TRIAGE.route("status", ID, Choice(*STATUSES), REQUEST_VERSION)
TRI_NOTE = TRIAGE.route("note", ID)
TRI_ASK = TRIAGE.route("ask", ID, REQUEST_VERSION)
TRI_HISTORY = TRIAGE.route("history", ID)
TRI_FILES = TRIAGE.route("files", ID)
TRI_CANCEL_INPUT = TRIAGE.route("cancel")
# The list's filter, "status.country.topic.assignee" with * for any.
REQUEST_FILTER = Token(44)
TRI_LIST = TRIAGE.route("list", REQUEST_FILTER, PAGE)
TRI_FILTER_BY = TRIAGE.route("by", Choice("status", "country", "topic", "who"), REQUEST_FILTER)

# -- events -------------------------------------------------------------------------------------

EVENTS = Feature("ev")
EV_RSVP = EVENTS.route("rsvp", ID, Choice(*ANSWERS))
EV_REMINDERS = EVENTS.route("reminders", ID, Choice("on", "off"))
EV_CALENDAR = EVENTS.route("calendar", ID)
EV_LIST = EVENTS.route("list")

EVENT_STAFF = Feature("evs")
EVS_MANAGE = EVENT_STAFF.route("manage", ID)
EVS_EDIT = EVENT_STAFF.route("edit", Choice(*EDIT_STEPS), ID)
EVS_CANCEL = EVENT_STAFF.route("cancel", ID)
EVS_CANCEL_YES = EVENT_STAFF.route("cancel_yes", ID)
EVS_ANNOUNCE = EVENT_STAFF.route("announce", ID)

AUDIENCE_CHOICE = Choice("all", *AUDIENCE_COUNTRIES)

# The two event forms: the same buttons, each form its own feature.
NEW_EVENT = Feature("evn")
NEW_EVENT_BACK = NEW_EVENT.route("back")
NEW_EVENT_CANCEL = NEW_EVENT.route("cancel")
NEW_EVENT_SKIP = NEW_EVENT.route("skip")
NEW_EVENT_ZONE = NEW_EVENT.route("zone", INDEX)
NEW_EVENT_COUNTRY = NEW_EVENT.route("country", AUDIENCE_CHOICE)
NEW_EVENT_AUDIENCE_DONE = NEW_EVENT.route("invited")
NEW_EVENT_DEFAULTS = NEW_EVENT.route("defaults")
NEW_EVENT_NO_REMINDERS = NEW_EVENT.route("noreminders")
NEW_EVENT_CREATE = NEW_EVENT.route("create")

EDIT_EVENT = Feature("eve")
EDIT_EVENT_BACK = EDIT_EVENT.route("back")
EDIT_EVENT_CANCEL = EDIT_EVENT.route("cancel")
EDIT_EVENT_SKIP = EDIT_EVENT.route("skip")
EDIT_EVENT_DROP = EDIT_EVENT.route("drop")
EDIT_EVENT_COUNTRY = EDIT_EVENT.route("country", AUDIENCE_CHOICE)
EDIT_EVENT_AUDIENCE_DONE = EDIT_EVENT.route("invited")
EDIT_EVENT_DEFAULTS = EDIT_EVENT.route("defaults")
EDIT_EVENT_NO_REMINDERS = EDIT_EVENT.route("noreminders")
EDIT_EVENT_SAVE = EDIT_EVENT.route("save")

# -- statistics ---------------------------------------------------------------------------------

STATS = Feature("stats")
STATS_PERIOD = Choice(*Period)
STATS_COUNTRY = Choice(
    ALL_COUNTRIES, *(place.code for place in COUNTRIES if place.code != OTHER_COUNTRY)
)
STATS_CHOOSE = STATS.route("choose", STATS_PERIOD, STATS_COUNTRY)
STATS_CHARTS = STATS.route("charts", Choice(*AREA_NAMES), STATS_PERIOD, STATS_COUNTRY)
STATS_REPORT = STATS.route("report", STATS_PERIOD, STATS_COUNTRY)

# -- broadcasts ---------------------------------------------------------------------------------

BROADCASTS = Feature("bc")
BC_BACK = BROADCASTS.route("back")
BC_CANCEL = BROADCASTS.route("cancel")
BC_WRITE_IN = BROADCASTS.route("write", Choice(*SUPPORTED_LANGUAGES))
BC_REMOVE_ATTACHMENT = BROADCASTS.route("noattachment")
BC_TO_AUDIENCE = BROADCASTS.route("audience")
BC_AUDIENCE = BROADCASTS.route("kind", Choice(*(kind.value for kind in AudienceKind)))
# A country or a language code.
BC_TOGGLE = BROADCASTS.route("toggle", Token(5, alphabet="A-Za-z"))
BC_CHOSEN = BROADCASTS.route("chosen")
BC_EVENT = BROADCASTS.route("event", ID)
BC_SEND = BROADCASTS.route("send")
BC_SEND_WORKING_HOURS = BROADCASTS.route("send_wh")
BC_SCHEDULE = BROADCASTS.route("schedule")
BC_STOP = BROADCASTS.route("stop", ID)
BC_STOP_YES = BROADCASTS.route("stop_yes", ID)
BC_KEEP = BROADCASTS.route("keep", ID)
BC_REPORT = BROADCASTS.route("report", ID)
