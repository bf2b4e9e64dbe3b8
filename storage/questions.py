"""Unanswered questions, kept until staff answer them so none is lost across restarts, and the
questions staff filed under a knowledge entry as its examples."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import LearnedQuestion, Question, to_db_time
from storage.outbox import StaffNotice, queue_staff_notice


class QuestionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        user_id: int,
        text: str,
        language: str,
        now: datetime,
        at_most: int,
        since: datetime,
    ) -> Question | None:
        """Keep a question; None when the person already has ``at_most`` kept ``since``."""
        async with self._db.transaction() as tx:
            kept = await tx.fetchone(
                "SELECT count(*) FROM questions WHERE user_id = :user AND created_at > :since",
                {"user": user_id, "since": to_db_time(since)},
            )
            if kept is not None and kept[0] >= at_most:
                return None
            question_id = await tx.insert(
                "INSERT INTO questions (user_id, text, language, status, created_at)"
                " VALUES (:user, :text, :language, 'unanswered', :now)",
                {"user": user_id, "text": text, "language": language, "now": to_db_time(now)},
            )
            row = await tx.fetchone("SELECT * FROM questions WHERE id = :id", {"id": question_id})
        assert row is not None
        return Question.from_row(row)

    async def get(self, question_id: int) -> Question | None:
        row = await self._db.fetchone("SELECT * FROM questions WHERE id = :id", {"id": question_id})
        return Question.from_row(row) if row else None

    async def forwards_since(self, user_id: int, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT count(*) FROM questions WHERE user_id = :user AND forwarded_at > :since",
            {"user": user_id, "since": to_db_time(since)},
        )
        return int(row[0]) if row else 0

    async def forward(
        self,
        question_id: int,
        user_id: int,
        *,
        now: datetime,
        notice: StaffNotice | None = None,
    ) -> Question | None:
        """Mark an unanswered question of this user forwarded, queueing ``notice`` (staff told
        of it, with its ``question_id``) with it; None if it was already."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE questions SET status = 'forwarded', forwarded_at = :now"
                " WHERE id = :id AND user_id = :user AND status = 'unanswered'",
                {"id": question_id, "user": user_id, "now": to_db_time(now)},
            )
            if changed == 0:
                return None
            if notice is not None:
                await queue_staff_notice(tx, notice.with_values(question_id=question_id), now)
            row = await tx.fetchone("SELECT * FROM questions WHERE id = :id", {"id": question_id})
        assert row is not None
        return Question.from_row(row)

    async def add_staff_copy(self, question_id: int, *, chat_id: int, message_id: int) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO question_copies (chat_id, message_id, question_id)"
                " VALUES (:chat, :message, :id)",
                {"chat": chat_id, "message": message_id, "id": question_id},
            )

    async def find_by_staff_copy(self, chat_id: int, message_id: int) -> Question | None:
        row = await self._db.fetchone(
            "SELECT questions.* FROM question_copies"
            " JOIN questions ON questions.id = question_copies.question_id"
            " WHERE question_copies.chat_id = :chat AND question_copies.message_id = :message",
            {"chat": chat_id, "message": message_id},
        )
        return Question.from_row(row) if row else None

    async def answer(
        self, question_id: int, *, answer: str, answered_by: int, now: datetime
    ) -> Question | None:
        """Record a staff answer (a later reply replaces an earlier one); None if not forwarded."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "UPDATE questions SET status = 'answered', answer = :answer,"
                " answered_by = :by, answered_at = :now"
                " WHERE id = :id AND status IN ('forwarded', 'answered')",
                {"answer": answer, "by": answered_by, "now": to_db_time(now), "id": question_id},
            )
            if changed == 0:
                return None
            row = await tx.fetchone("SELECT * FROM questions WHERE id = :id", {"id": question_id})
        assert row is not None
        return Question.from_row(row)


class LearnedQuestionRepository:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        *,
        slug: str,
        language: str,
        text: str,
        question_id: int | None,
        added_by: int,
        now: datetime,
    ) -> bool:
        """File a question under an entry; False when it was there already (a double tap)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "INSERT INTO learned_questions"
                " (slug, language, text, question_id, added_by, added_at)"
                " VALUES (:slug, :language, :text, :question, :by, :now)"
                " ON CONFLICT (slug, language, text) DO NOTHING",
                {
                    "slug": slug,
                    "language": language,
                    "text": text,
                    "question": question_id,
                    "by": added_by,
                    "now": to_db_time(now),
                },
            )
        return changed > 0

    async def all(self) -> list[LearnedQuestion]:
        rows = await self._db.fetchall("SELECT * FROM learned_questions ORDER BY slug, id")
        return [LearnedQuestion.from_row(row) for row in rows]

    async def for_entry(self, slug: str) -> list[LearnedQuestion]:
        rows = await self._db.fetchall(
            "SELECT * FROM learned_questions WHERE slug = :slug ORDER BY language, id",
            {"slug": slug},
        )
        return [LearnedQuestion.from_row(row) for row in rows]

    async def remove(self, learned_id: int, *, slug: str) -> bool:
        """Stop answering by a question staff taught; False if it was removed already."""
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                "DELETE FROM learned_questions WHERE id = :id AND slug = :slug",
                {"id": learned_id, "slug": slug},
            )
        return changed > 0
