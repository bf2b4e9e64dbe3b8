"""The schema, as numbered migrations applied in order at start and recorded in the database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import aiosqlite

logger = logging.getLogger(__name__)

# Append only: a released migration is never edited, a change is a new step.
# The tables the statistics read (storage/stats.py). Migration 29 counts every change to
# them; this tuple is part of that step: a table the statistics read later gets its own step.
_STATISTICS_TABLES = (
    "focal_points",
    "questions",
    "questions_asked",
    "support_requests",
    "support_request_events",
    "events",
    "event_rsvps",
    "event_notices",
    "broadcasts",
    "broadcast_recipients",
)


def _statistics_version_sql() -> str:
    """One row counting the changes to what the statistics read, by triggers, so a change
    made by the bot or by any other process (the CLI, an import) reaches it."""
    bump = "BEGIN UPDATE statistics_version SET version = version + 1; END;"
    triggers = [
        f"CREATE TRIGGER statistics_{table}_{event.lower()} AFTER {event} ON {table} {bump}"
        for table in _STATISTICS_TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    ]
    # A focal point's last contact makes them active; other people's does not count.
    triggers.append(
        "CREATE TRIGGER statistics_users_seen AFTER UPDATE OF last_seen_at ON users"
        " WHEN EXISTS (SELECT 1 FROM focal_points WHERE user_id = NEW.id) " + bump
    )
    return "\n".join(
        [
            "CREATE TABLE statistics_version ("
            " id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);",
            "INSERT INTO statistics_version (id, version) VALUES (1, 0);",
            *triggers,
        ]
    )


MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (
        1,
        "users, staff, focal points, invites, drafts",
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,              -- Telegram user id
            first_name TEXT NOT NULL DEFAULT '',
            last_name TEXT,
            username TEXT,
            language TEXT,                       -- chosen ar|fr|en; NULL until chosen
            telegram_language TEXT,              -- what the Telegram client reports
            time_zone TEXT,                      -- IANA name; NULL means "from the country"
            is_active INTEGER NOT NULL DEFAULT 1,-- 0 once Telegram says the user blocked the bot
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        );
        CREATE TABLE staff (
            user_id INTEGER PRIMARY KEY,         -- may be added before the person ever writes
            added_by INTEGER,
            added_at TEXT NOT NULL
        );
        CREATE TABLE focal_points (
            user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            full_name TEXT NOT NULL,
            country TEXT NOT NULL,
            city TEXT NOT NULL,
            position TEXT NOT NULL DEFAULT '',
            email TEXT,
            status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
            via_invite TEXT,
            reviewed_by INTEGER,
            reviewed_at TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX focal_points_status ON focal_points(status);
        CREATE TABLE invites (
            code TEXT PRIMARY KEY,
            country TEXT NOT NULL,
            city TEXT NOT NULL,
            created_by INTEGER,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            used_at TEXT
        );
        CREATE TABLE drafts (
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            flow TEXT NOT NULL,
            step TEXT NOT NULL,
            data TEXT NOT NULL DEFAULT '{}',     -- JSON
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_id, flow)
        );
        """,
    ),
    (
        2,
        "questions the knowledge base could not answer, forwarded to staff",
        """
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            language TEXT NOT NULL,               -- the asker's language when asked
            status TEXT NOT NULL CHECK (status IN ('unanswered', 'forwarded', 'answered')),
            answer TEXT,
            answered_by INTEGER,
            created_at TEXT NOT NULL,
            forwarded_at TEXT,
            answered_at TEXT
        );
        CREATE TABLE question_copies (          -- where staff can reply to a question
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
            PRIMARY KEY (chat_id, message_id)
        );
        """,
    ),
    (
        3,
        "technical-support requests, their files, history and staff copies",
        """
        CREATE TABLE support_requests (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE,       -- TSR-2026-0042, shown to people
            year INTEGER NOT NULL,
            number INTEGER NOT NULL,              -- counts from 1 each year
            submission_key TEXT NOT NULL UNIQUE,  -- one per form: a repeated submit finds it
            filed_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
            country TEXT NOT NULL,
            city TEXT NOT NULL,
            topic TEXT NOT NULL,
            support_kind TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            time_frame TEXT NOT NULL,
            contact TEXT NOT NULL CHECK (contact IN ('telegram', 'email', 'phone')),
            contact_detail TEXT,                  -- the email address or phone number
            status TEXT NOT NULL CHECK (status IN ('new', 'in_review', 'waiting_city',
                'accepted', 'in_progress', 'completed', 'declined')),
            assignee INTEGER,
            decline_reason TEXT,
            waiting_since TEXT,                   -- the city spoke last; NULL once staff answer
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (year, number)
        );
        CREATE INDEX support_requests_city ON support_requests(country, city);
        CREATE INDEX support_requests_status ON support_requests(status);
        CREATE TABLE support_request_files (
            request_id INTEGER NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('document', 'photo')),
            file_id TEXT NOT NULL,                -- Telegram's; the file is never downloaded
            file_unique_id TEXT NOT NULL,
            file_name TEXT,
            PRIMARY KEY (request_id, position)
        );
        CREATE TABLE support_request_events (
            id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('filed', 'status', 'assigned', 'note',
                'question', 'answer')),
            actor INTEGER,                        -- a Telegram user id; names are looked up
            status TEXT,                          -- the new status ('status' events)
            assignee INTEGER,                     -- who ('assigned' events; NULL: nobody)
            text TEXT,                            -- note, question, answer or decline reason
            at TEXT NOT NULL
        );
        CREATE INDEX support_request_events_request ON support_request_events(request_id);
        CREATE TABLE support_request_copies (   -- staff messages showing a request's card
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            request_id INTEGER NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
            PRIMARY KEY (chat_id, message_id)
        );
        """,
    ),
    (
        4,
        "events, RSVPs and the outbox of event notices (reminders, changes, invitations)",
        """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            titles TEXT NOT NULL,                 -- JSON {"ar"|"fr"|"en": title}, at least one
            descriptions TEXT NOT NULL DEFAULT '{}', -- JSON, same languages or fewer
            starts_at TEXT NOT NULL,              -- UTC
            ends_at TEXT NOT NULL,                -- UTC
            time_zone TEXT NOT NULL,              -- the event's own IANA zone (for .ics, staff)
            place TEXT,                           -- a venue, or NULL when online only
            link TEXT,                            -- an online link, or NULL
            audience TEXT NOT NULL DEFAULT '',    -- comma-separated country codes; '' = everyone
            reminder_offsets TEXT NOT NULL,       -- comma-separated seconds before the start
            status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
            revision INTEGER NOT NULL DEFAULT 0,  -- bumped on every change (.ics SEQUENCE)
            import_key TEXT UNIQUE,               -- the key of an imported entry: no duplicates
            created_by INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX events_upcoming ON events(status, ends_at);
        CREATE TABLE event_rsvps (
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            answer TEXT NOT NULL CHECK (answer IN ('going', 'maybe', 'no')),
            reminders_on INTEGER NOT NULL DEFAULT 1,
            answered_at TEXT NOT NULL,
            PRIMARY KEY (event_id, user_id)
        );
        CREATE INDEX event_rsvps_user ON event_rsvps(user_id);
        CREATE TABLE event_notices (            -- the outbox: one row per message to one person
            id INTEGER PRIMARY KEY,
            event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('reminder', 'change', 'invitation')),
            ref INTEGER NOT NULL,                 -- reminder: seconds before; change: revision
            due_at TEXT NOT NULL,                 -- UTC
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'skipped')),
            payload TEXT NOT NULL DEFAULT '{}',   -- JSON: what changed, for change notices
            attempts INTEGER NOT NULL DEFAULT 0,
            detail TEXT,                          -- why skipped, or 'unconfirmed'
            updated_at TEXT NOT NULL,
            UNIQUE (event_id, user_id, kind, ref)
        );
        CREATE INDEX event_notices_due ON event_notices(state, due_at);
        """,
    ),
    (
        5,
        "staff broadcasts and the delivery state of every recipient",
        """
        CREATE TABLE broadcasts (
            id INTEGER PRIMARY KEY,
            created_by INTEGER NOT NULL,          -- the staff member; gets progress and report
            versions TEXT NOT NULL,               -- JSON {"ar"|"fr"|"en": Telegram HTML}
            attachment_kind TEXT CHECK (attachment_kind IN ('photo', 'document')),
            attachment_file_id TEXT,              -- Telegram's; sent again by file_id
            audience TEXT NOT NULL,               -- JSON {"kind": ..., "values": [...]}
            status TEXT NOT NULL CHECK (status IN ('scheduled', 'sending', 'done', 'cancelled')),
            scheduled_for TEXT NOT NULL,          -- UTC; "send now" is scheduled for now
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            cancelled_by INTEGER,
            progress_chat_id INTEGER,             -- the message that shows progress, edited
            progress_message_id INTEGER
        );
        CREATE INDEX broadcasts_status ON broadcasts(status, scheduled_for);
        CREATE TABLE broadcast_recipients (     -- one row per person, written as it happens
            broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,            -- sending order
            language TEXT NOT NULL,               -- the reader's language
            version TEXT NOT NULL,                -- the version they get (theirs or a fallback)
            country TEXT,                         -- the focal point's country, for the report
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed',
                'blocked', 'cancelled')),
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (broadcast_id, user_id)
        );
        CREATE INDEX broadcast_recipients_queue ON broadcast_recipients(broadcast_id, state,
            position);
        """,
    ),
    (
        7,
        "example questions staff taught the knowledge base",
        """
        CREATE TABLE learned_questions (          -- joined to an entry's example questions
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL,                   -- the entry (content/knowledge/<slug>.yaml)
            language TEXT NOT NULL,               -- ar|fr|en, the question's own language
            text TEXT NOT NULL,
            -- The asker's words: erased with their question when they erase their data.
            question_id INTEGER REFERENCES questions(id) ON DELETE CASCADE,
            added_by INTEGER NOT NULL,            -- the staff member who chose the entry
            added_at TEXT NOT NULL,
            UNIQUE (slug, language, text)
        );
        """,
    ),
    (
        9,
        "questions put to the knowledge base, and indexes for the staff statistics and report",
        """
        CREATE TABLE questions_asked (          -- one row per question asked; nobody named
            id INTEGER PRIMARY KEY,
            asked_at TEXT NOT NULL,
            language TEXT NOT NULL,               -- the asker's language when asked
            country TEXT,                         -- the asker's country, if a focal point
            outcome TEXT NOT NULL CHECK (outcome IN ('answered', 'declined')),
            topic TEXT                            -- the topic of the entry shown, if answered
        );
        CREATE INDEX questions_asked_at ON questions_asked(asked_at, country, language, outcome,
            topic);
        CREATE INDEX questions_created ON questions(created_at);
        CREATE INDEX questions_user ON questions(user_id, created_at);
        CREATE INDEX questions_forwarded ON questions(forwarded_at);
        CREATE INDEX support_requests_created ON support_requests(created_at);
        CREATE INDEX support_requests_filer ON support_requests(filed_by, created_at);
        CREATE INDEX support_request_events_kind ON support_request_events(request_id, kind, at);
        CREATE INDEX events_starts ON events(starts_at);
        CREATE INDEX event_notices_kind ON event_notices(event_id, kind, state);
        CREATE INDEX broadcasts_scheduled ON broadcasts(scheduled_for);
        CREATE INDEX broadcast_recipients_reach ON broadcast_recipients(broadcast_id, language,
            country, state);
        """,
    ),
    (
        11,
        "staff console: sessions, one-time login links, audit log",
        """
        -- Tokens are kept as SHA-256 digests: a copy of the database opens no session.
        CREATE TABLE console_sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,            -- sent back with every state-changing request
            via TEXT NOT NULL CHECK (via IN ('link', 'webapp')),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX console_sessions_user ON console_sessions(user_id);
        CREATE INDEX console_sessions_expiry ON console_sessions(expires_at);
        CREATE TABLE console_login_links (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT                         -- single use: set when it opens a session
        );
        CREATE INDEX console_login_links_expiry ON console_login_links(expires_at);
        -- Who did what, when, on what: staff actions in the console and staff commands in
        -- the bot. actor_id is NULL once that person is erased.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER,
            channel TEXT NOT NULL CHECK (channel IN ('bot', 'console')),
            action TEXT NOT NULL,
            subject TEXT
        );
        CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
        CREATE INDEX audit_log_action ON audit_log(action, id);
        """,
    ),
    (
        12,
        "the knowledge base in the database: every version of every entry, live and draft",
        """
        CREATE TABLE knowledge_versions (        -- append only: history is every row of a slug
            id INTEGER PRIMARY KEY,
            slug TEXT NOT NULL,
            entry TEXT NOT NULL,                  -- JSON: topic, related, source, and per
                                                  -- language title, answer, keywords, questions
            file_text TEXT,                       -- the YAML file imported, byte for byte, so an
                                                  -- untouched entry exports unchanged; NULL when
                                                  -- written in the console
            review TEXT NOT NULL DEFAULT '',      -- languages waiting for review: 'fr en'
            kind TEXT NOT NULL CHECK (kind IN ('import', 'edit', 'confirm', 'restore')),
            restored_from INTEGER,                -- the version a restore copied
            author INTEGER,                       -- the staff member; NULL for an import
            created_at TEXT NOT NULL
        );
        CREATE INDEX knowledge_versions_slug ON knowledge_versions(slug, id);
        CREATE TABLE knowledge_entries (         -- one row per entry: which versions count now
            slug TEXT PRIMARY KEY,
            live_version INTEGER REFERENCES knowledge_versions(id),  -- NULL until published
            draft_version INTEGER REFERENCES knowledge_versions(id), -- NULL when none waits
            -- What the console lists, of the draft when there is one, else of the live version.
            topic TEXT NOT NULL,
            title_ar TEXT NOT NULL,
            title_fr TEXT NOT NULL,
            title_en TEXT NOT NULL,
            state_ar TEXT NOT NULL CHECK (state_ar IN ('complete', 'missing', 'review')),
            state_fr TEXT NOT NULL CHECK (state_fr IN ('complete', 'missing', 'review')),
            state_en TEXT NOT NULL CHECK (state_en IN ('complete', 'missing', 'review')),
            published_at TEXT,
            published_by INTEGER,
            updated_at TEXT NOT NULL
        );
        -- The list is a topic's entries in the reader's alphabetical order, a page at a time.
        CREATE INDEX knowledge_list_ar ON knowledge_entries(topic, title_ar COLLATE NOCASE, slug);
        CREATE INDEX knowledge_list_fr ON knowledge_entries(topic, title_fr COLLATE NOCASE, slug);
        CREATE INDEX knowledge_list_en ON knowledge_entries(topic, title_en COLLATE NOCASE, slug);
        """,
    ),
    (
        14,
        "support requests: a version for changes made on a stale view, indexes for the board",
        """
        -- Counts the changes to what a request is (status, assignee, the exchange with the
        -- city); a change made on an older version is refused, never silently applied.
        ALTER TABLE support_requests ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX support_requests_board_open ON support_requests(status, created_at);
        CREATE INDEX support_requests_board_closed ON support_requests(status, updated_at);
        CREATE INDEX support_requests_assignee ON support_requests(assignee, status);
        """,
    ),
    (
        15,
        "announcements that arrive in each recipient's working hours",
        """
        ALTER TABLE broadcasts ADD COLUMN working_hours INTEGER NOT NULL DEFAULT 0;
        -- UTC; the recipient's next working morning. NULL: as soon as the pace allows.
        ALTER TABLE broadcast_recipients ADD COLUMN not_before TEXT;
        CREATE INDEX broadcast_recipients_waiting ON broadcast_recipients(state, not_before)
            WHERE not_before IS NOT NULL;
        """,
    ),
    (
        16,
        "the staff outbox: notifications written with the change that causes them",
        """
        CREATE TABLE staff_notices (              -- a notification to staff not yet delivered
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,                   -- how it is rendered (bot/delivery/outbox.py)
            -- Whom it is about: erasing them drops what was not yet sent.
            subject_user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            payload TEXT NOT NULL,                -- JSON: what rendering needs beyond the tables
            created_at TEXT NOT NULL
        );
        CREATE TABLE staff_notice_progress (      -- per recipient: messages Telegram accepted
            notice_id INTEGER NOT NULL REFERENCES staff_notices(id) ON DELETE CASCADE,
            chat_id INTEGER NOT NULL,
            parts_sent INTEGER NOT NULL,
            PRIMARY KEY (notice_id, chat_id)
        );
        """,
    ),
    (
        17,
        "drop the index on a request's history that support_request_events_kind covers",
        """
        -- support_request_events_kind starts with request_id: it serves every lookup by
        -- request, and one index less is one less to write with each history line.
        DROP INDEX IF EXISTS support_request_events_request;
        """,
    ),
    (
        18,
        "the staff group bound with /bind, and the backups hubbot backup wrote",
        """
        -- One row at most: the environment's HUBBOT_STAFF_CHAT_ID is only the initial value.
        CREATE TABLE staff_chat_binding (
            slot INTEGER PRIMARY KEY CHECK (slot = 1),
            chat_id INTEGER NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            bound_at TEXT NOT NULL
        );
        -- So hubbot doctor counts a backup under any name, wherever it was written.
        CREATE TABLE backups_made (
            path TEXT PRIMARY KEY,
            made_at TEXT NOT NULL
        );
        """,
    ),
    (
        19,
        "who made an event's latest change, so a change made on an older revision is refused "
        "with their name",
        """
        -- events.revision counts the changes; a change made on an older revision is refused.
        -- Erasing the staff member sets it to NULL (storage/erasure.py).
        ALTER TABLE events ADD COLUMN updated_by INTEGER;
        """,
    ),
    (
        20,
        "files attached to announcements in the console, kept until their broadcast is done",
        """
        -- The bytes are in data/announcement-files/<token> (owner-only); this is what the
        -- composer and the delivery need to know of them. file_id: Telegram's, once uploaded,
        -- so the file is sent to everyone else (and after a restart) without uploading again.
        CREATE TABLE announcement_files (
            token TEXT PRIMARY KEY,
            owner_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
            file_name TEXT NOT NULL,
            mime_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            file_id TEXT,
            broadcast_id INTEGER REFERENCES broadcasts(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX announcement_files_broadcast ON announcement_files (broadcast_id);
        """,
    ),
    (
        21,
        "card refreshes in the staff outbox: written with the change, one row per card",
        """
        -- A staff card (a request's message in a staff chat) to show its request as it is now.
        -- Written in the transaction of the change; a newer change of the same request bumps
        -- ``asked`` instead of adding a row, so edits of one card coalesce, and the sender's
        -- confirmation of an older content leaves the row for the newer one.
        CREATE TABLE card_refreshes (
            chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            request_id INTEGER NOT NULL REFERENCES support_requests(id) ON DELETE CASCADE,
            asked INTEGER NOT NULL DEFAULT 1,
            asked_at TEXT NOT NULL,
            PRIMARY KEY (chat_id, message_id)
        );
        """,
    ),
    (
        22,
        "support requests: the board's indexes hold its filters",
        """
        -- The board counts each column and walks it in order, filtered by country, topic and
        -- assignee: with these in the index neither reads the table, only the cards shown.
        -- They replace migration 14's (status, created_at) and (status, updated_at).
        CREATE INDEX support_requests_board_open_filters
            ON support_requests(status, created_at, country, topic, assignee);
        CREATE INDEX support_requests_board_closed_filters
            ON support_requests(status, updated_at, country, topic, assignee);
        DROP INDEX support_requests_board_open;
        DROP INDEX support_requests_board_closed;
        """,
    ),
    (
        29,
        "a version of the data the statistics read, for the figures kept (bot/stats/cache.py)",
        _statistics_version_sql(),
    ),
)


async def apply_migrations(connection: aiosqlite.Connection) -> list[int]:
    """Apply the migrations not yet recorded, each in its own transaction; returns those applied."""
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    cursor = await connection.execute("SELECT version FROM schema_migrations")
    done = {row[0] for row in await cursor.fetchall()}
    applied: list[int] = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        try:
            # SQLite splits the script itself; the transaction it opens stays open for the
            # record of the step, so the step and its record commit together or not at all.
            await connection.executescript(f"BEGIN IMMEDIATE;\n{sql}")
            await connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (version, name, datetime.now(UTC).isoformat()),
            )
        except BaseException:
            await connection.rollback()
            raise
        await connection.commit()
        logger.info("applied migration %d: %s", version, name)
        applied.append(version)
    return applied
