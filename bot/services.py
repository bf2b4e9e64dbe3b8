"""The services every handler reaches through the context, opened and closed with the bot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Bot

from bot.accounts import AccountService, Profile
from bot.audit import AuditLog
from bot.broadcasts import BroadcastService
from bot.broadcasts.attachments import FOLDER_NAME as ATTACHMENTS_FOLDER
from bot.broadcasts.attachments import AttachmentStore
from bot.clock import Clock
from bot.config import Config
from bot.console.access import ConsoleAccess
from bot.delivery import DeliveryEngine, DeliverySettings, RealTimer, Timer
from bot.delivery.background import BackgroundSends
from bot.delivery.outbox import StaffOutbox
from bot.events import EventService
from bot.events.planning import plan_reminders
from bot.events.reminders import ReminderRunner
from bot.flood import FloodGuard
from bot.i18n import Catalogs, Translator
from bot.knowledge.publishing import KnowledgeEditor
from bot.knowledge.service import KnowledgeService
from bot.knowledge.synonyms import SYNONYMS_FILE_NAME
from bot.registration import RegistrationService
from bot.staff_chat import StaffChat
from bot.stats.service import StatsService
from bot.stats.worker import StatsWorker
from bot.support.desk import SupportDesk
from bot.support.feed import RequestFeed
from bot.support.form import RequestForm
from storage.announcement_files import AnnouncementFileRepository
from storage.audit import AuditRepository
from storage.backup_log import BackupLog
from storage.broadcasts import BroadcastRepository
from storage.console import ConsoleRepository
from storage.db import Database
from storage.drafts import DraftRepository
from storage.erasure import ErasureRepository
from storage.events import EventRepository
from storage.focal_points import FocalPointRepository, InviteRepository
from storage.knowledge import KnowledgeRepository
from storage.outbox import OutboxRepository
from storage.questions import LearnedQuestionRepository, QuestionRepository
from storage.staff_chat import StaffChatRepository
from storage.stats import StatsRepository
from storage.support_requests import SupportRequestRepository
from storage.users import StaffRepository, UserRepository


@dataclass
class FlowTracker:
    """Which multi-step form each user is in, refreshed from the database on every update.

    Handler filters are synchronous and cannot query the database; the preprocessing
    handler records the user's active form here before any other handler is checked.
    """

    active: dict[int, str] = field(default_factory=dict)
    # One-answer prompts (a time zone, a note, an answer to staff) that a command abandons:
    # the user has moved on, and their next text must not be taken for that answer.
    abandoned_by_commands: set[str] = field(default_factory=set)
    # Multi-step forms that, left untouched a while, ask "continue or start over?" first.
    resumable: set[str] = field(default_factory=set)
    # Per person, the moment of the lapsed draft they were last asked about: asked once.
    offered: dict[int, datetime] = field(default_factory=dict)

    def set(self, user_id: int, flow: str | None) -> None:
        if flow is None:
            self.active.pop(user_id, None)
        else:
            self.active[user_id] = flow

    def get(self, user_id: int) -> str | None:
        return self.active.get(user_id)

    def first_offer(self, user_id: int, draft_changed: datetime) -> bool:
        """True the first time a person is asked about this lapsed draft."""
        if self.offered.get(user_id) == draft_changed:
            return False
        self.offered[user_id] = draft_changed
        return True


@dataclass
class Services:
    config: Config
    clock: Clock
    db: Database
    catalogs: Catalogs
    accounts: AccountService
    registration: RegistrationService
    knowledge: KnowledgeService
    knowledge_editor: KnowledgeEditor
    drafts: DraftRepository
    flows: FlowTracker
    request_form: RequestForm
    support: SupportDesk
    events: EventService
    reminders: ReminderRunner
    broadcasts: BroadcastService
    stats: StatsService
    flood: FloodGuard
    staff_chat: StaffChat
    backup_log: BackupLog
    audit: AuditLog
    console: ConsoleAccess
    outbox: StaffOutbox
    background: BackgroundSends = field(default_factory=BackgroundSends)
    # The application's bot, set at start: the console acts through it (paced like replies).
    telegram: Bot | None = None

    def translator(self, language: str | None, country: str | None = None) -> Translator:
        return self.catalogs.translator(language, country)

    def translator_for(self, profile: Profile | None) -> Translator:
        """Another person's language (and country, for its numbers): whoever reads it."""
        if profile is None:
            return self.translator(None)
        return self.translator(profile.language, profile.country)

    def staff_translator(self) -> Translator:
        """The language of the staff chat, which many people read."""
        return self.catalogs.translator(self.config.staff_language)

    @classmethod
    async def open(
        cls,
        config: Config,
        clock: Clock,
        *,
        catalogs: Catalogs | None = None,
        flows: FlowTracker | None = None,
        flood: FloodGuard | None = None,
        timer: Timer | None = None,
    ) -> Services:
        db = Database(config.database_path)
        await db.open()
        users = UserRepository(db)
        focal_points = FocalPointRepository(db)
        drafts = DraftRepository(db)
        support_requests = SupportRequestRepository(db)
        event_repository = EventRepository(db, plan=plan_reminders)
        reminders = ReminderRunner(events=event_repository, clock=clock)
        accounts = AccountService(
            users=users,
            staff=StaffRepository(db),
            focal_points=focal_points,
            drafts=drafts,
            erasure=ErasureRepository(db),
            admin_ids=config.admin_ids,
            clock=clock,
        )
        events = EventService(
            events=event_repository,
            drafts=drafts,
            users=users,
            focal_points=focal_points,
            accounts=accounts,
            clock=clock,
            on_change=reminders.replan,
        )
        catalogs = catalogs or Catalogs.load()
        staff_chat = StaffChat(StaffChatRepository(db), config.staff_chat_id, clock)
        await staff_chat.load()
        # One feed of request changes, whichever service records them.
        request_feed = RequestFeed()
        knowledge_entries = KnowledgeRepository(db)
        learned = LearnedQuestionRepository(db)
        knowledge = KnowledgeService(
            directory=config.content_dir / "knowledge",
            synonyms_file=config.content_dir / SYNONYMS_FILE_NAME,
            entries=knowledge_entries,
            questions=QuestionRepository(db),
            learned=learned,
            clock=clock,
        )
        audit = AuditLog(records=AuditRepository(db), clock=clock)

        loaded = catalogs

        async def staff_recipients() -> list[tuple[int, Translator]]:
            """The staff chat in its language if there is one, else each member in theirs."""
            if staff_chat.id is not None:
                return [(staff_chat.id, loaded.translator(config.staff_language))]
            recipients = []
            for staff_id in await accounts.staff_ids():
                profile = await accounts.profile(staff_id)
                language, country = (profile.language, profile.country) if profile else (None, None)
                recipients.append((staff_id, loaded.translator(language, country)))
            return recipients

        return cls(
            config=config,
            clock=clock,
            db=db,
            catalogs=catalogs,
            accounts=accounts,
            registration=RegistrationService(
                drafts=drafts,
                focal_points=focal_points,
                invites=InviteRepository(db),
                clock=clock,
                invite_ttl=timedelta(hours=config.invite_ttl_hours),
            ),
            knowledge=knowledge,
            knowledge_editor=KnowledgeEditor(
                entries=knowledge_entries, learned=learned, knowledge=knowledge, clock=clock
            ),
            drafts=drafts,
            flows=flows or FlowTracker(),
            flood=flood or FloodGuard(config.flood_burst, config.flood_per_s),
            outbox=StaffOutbox(OutboxRepository(db), clock, staff_recipients),
            request_form=RequestForm(
                drafts=drafts, requests=support_requests, clock=clock, feed=request_feed
            ),
            support=SupportDesk(
                requests=support_requests, drafts=drafts, clock=clock, feed=request_feed
            ),
            events=events,
            reminders=reminders,
            broadcasts=BroadcastService(
                broadcasts=BroadcastRepository(db),
                drafts=drafts,
                accounts=accounts,
                engine=DeliveryEngine(DeliverySettings.from_config(config), timer or RealTimer()),
                translators=catalogs.translator,
                clock=clock,
                attendees=events.attendee_ids,
                attachments=AttachmentStore(
                    config.database_path.parent / ATTACHMENTS_FOLDER,
                    AnnouncementFileRepository(db),
                    clock,
                ),
            ),
            stats=StatsService(
                stats=StatsRepository(db),
                clock=clock,
                worker=StatsWorker(config.database_path),
                time_zone=config.staff_time_zone,
            ),
            staff_chat=staff_chat,
            backup_log=BackupLog(db),
            audit=audit,
            console=ConsoleAccess(
                repository=ConsoleRepository(db),
                accounts=accounts,
                audit=audit,
                clock=clock,
                bot_token=config.token,
            ),
        )

    async def close(self) -> None:
        await self.outbox.stop()
        self.stats.close()
        self.support.feed.close()
        self.knowledge.close()
        await self.background.close()
        await self.broadcasts.stop()
        await self.db.close()
