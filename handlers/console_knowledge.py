"""The console's knowledge pages: entries by topic with each language's state, an entry with
its three languages side by side, the publishing gate, trying a question on the draft, history
with compare and restore, and the questions staff taught. Thin: every rule is in
bot/knowledge/publishing.py and bot/knowledge/editor.py, shared with the bot."""

from __future__ import annotations

import re
from typing import Final

from aiohttp import web

from bot.console.site import ConsoleContext, ConsoleSite
from bot.i18n import N_
from bot.knowledge.content import MAX_SLUG_CHARS, TOPICS
from bot.knowledge.editor import entry_from_form, form_of
from bot.knowledge.normalize import LANGUAGES
from bot.knowledge.publishing import ENTRIES_PER_PAGE, EditedEntry, Publication
from handlers import console_knowledge_views as views

_SLUG: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NUMBER: Final = re.compile(r"^[0-9]{1,9}$")
# Questions tried in the console are as long as those the bot accepts.
MAX_TRIED_QUESTION_CHARS: Final = 1000


def _slug(console: ConsoleContext) -> str:
    slug = console.request.match_info.get("slug", "")
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_SLUG_CHARS:
        raise web.HTTPNotFound()
    return slug


def _number(text: object) -> int | None:
    return int(text) if isinstance(text, str) and _NUMBER.fullmatch(text) else None


async def _open(console: ConsoleContext) -> EditedEntry:
    edited = await console.services.knowledge_editor.open(_slug(console))
    if edited is None:
        raise web.HTTPNotFound()
    return edited


async def _fields(console: ConsoleContext) -> dict[str, str]:
    form = await console.form()
    return {name: value for name, value in form.items() if isinstance(value, str)}


# --- the list ------------------------------------------------------------------------------------


async def entry_list(console: ConsoleContext) -> web.StreamResponse:
    console.services.knowledge.prepare_to_publish()
    editor = console.services.knowledge_editor
    counts = await editor.topic_counts()
    asked = console.request.query.get("topic")
    topic = asked if asked in TOPICS else next((t for t in TOPICS if counts.get(t)), TOPICS[0])
    page = _number(console.request.query.get("page")) or 0
    summaries = await editor.page(topic, language=console.t.language, page=page)
    more = counts.get(topic, 0) > (page + 1) * ENTRIES_PER_PAGE
    return console.render(
        "knowledge_list.html",
        topics=views.topic_tabs(console.t, counts, topic),
        topic=topic,
        rows=[views.summary_row(console.t, summary) for summary in summaries],
        newer=console.url("/knowledge", topic=topic, page=page - 1) if page > 0 else None,
        older=console.url("/knowledge", topic=topic, page=page + 1) if more else None,
        new_entry_topics=views.topic_choices(console.t),
    )


async def new_entry(console: ConsoleContext) -> web.StreamResponse:
    """A new entry: its slug and topic; the languages are written on its page."""
    fields = await _fields(console)
    slug = fields.get("slug", "").strip()
    topic = fields.get("topic", "")
    if not _SLUG.fullmatch(slug) or len(slug) > MAX_SLUG_CHARS or topic not in TOPICS:
        return await _refuse_new(
            console,
            N_(
                "Write a slug of lowercase letters, digits and hyphens (at most {max} "
                "characters), and choose a topic."
            ),
            slug,
        )
    entry = entry_from_form(slug, {"topic": topic})
    created = await console.services.knowledge_editor.create(entry, author=console.user_id)
    if created is None:
        return await _refuse_new(console, N_("An entry with this slug exists already."), slug)
    await console.audit("knowledge.create", slug)
    return console.see_other(f"/knowledge/entry/{slug}")


async def _refuse_new(console: ConsoleContext, message: str, slug: str) -> web.StreamResponse:
    console.audited = True  # nothing changed
    counts = await console.services.knowledge_editor.topic_counts()
    return console.render(
        "knowledge_list.html",
        status=422,
        topics=views.topic_tabs(console.t, counts, None),
        topic=None,
        rows=[],
        newer=None,
        older=None,
        new_entry_topics=views.topic_choices(console.t),
        new_entry_problem=console.t.label(message, max=MAX_SLUG_CHARS),
        new_entry_slug=slug,
    )


# --- an entry ------------------------------------------------------------------------------------


async def _render_entry(
    console: ConsoleContext,
    edited: EditedEntry,
    *,
    fields: dict[str, str] | None = None,
    publication: Publication | None = None,
    status: int = 200,
) -> web.StreamResponse:
    editor = console.services.knowledge_editor
    current = entry_from_form(edited.slug, fields) if fields is not None else edited.current
    problems = editor.check(current, edited.review)
    question = console.request.query.get("q", "").strip()[:MAX_TRIED_QUESTION_CHARS]
    trial = await editor.trial(edited.slug, question) if question else None
    taught = await editor.taught(edited.slug)
    notice = None
    if console.request.query.get("published"):
        notice = console.t.label("Published: focal points get this version now.")
    elif console.request.query.get("restored"):
        notice = console.t.label("Restored and published: focal points get that version again.")
    return console.render(
        "knowledge_entry.html",
        status=status,
        request_notice=notice,
        entry=views.entry_page(console.t, edited, fields or form_of(current)),
        problems=views.problem_lines(console.t, problems),
        publication=views.publication_message(console.t, publication),
        question=question,
        trial=views.trial_columns(
            console.t, trial, console.services.knowledge.live_entries(), edited
        ),
        taught=[views.taught_row(console.t, item, console.time_zone) for item in taught],
        topics=views.topic_choices(console.t),
    )


async def entry_page(console: ConsoleContext) -> web.StreamResponse:
    console.services.knowledge.prepare_to_publish()
    return await _render_entry(console, await _open(console))


async def save_entry(console: ConsoleContext) -> web.StreamResponse:
    """Keep what was typed as the draft; nothing reaches the bot yet."""
    edited = await _open(console)
    fields = await _fields(console)
    entry = entry_from_form(edited.slug, fields)
    await console.services.knowledge_editor.save(entry, author=console.user_id)
    await console.audit("knowledge.save", edited.slug)
    if fields.get("then") == "publish":
        return await _publish(console, edited.slug)
    return console.see_other(f"/knowledge/entry/{edited.slug}")


async def validate_entry(console: ConsoleContext) -> web.StreamResponse:
    """The gate's problems with the form as typed (the page asks as staff type)."""
    console.audited = True  # a check: nothing is changed or kept
    edited = await _open(console)
    fields = await _fields(console)
    editor = console.services.knowledge_editor
    entry = entry_from_form(edited.slug, fields)
    review = editor.review_after(edited, entry)
    problems = editor.check(entry, review)
    return web.json_response(views.validation_json(console.t, entry, review, problems))


async def confirm_language(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    language = (await _fields(console)).get("language", "")
    if language not in LANGUAGES:
        raise web.HTTPBadRequest()
    await console.services.knowledge_editor.confirm(edited.slug, language, author=console.user_id)
    await console.audit("knowledge.confirm", f"{edited.slug} {language}")
    return console.see_other(f"/knowledge/entry/{edited.slug}")


async def publish_entry(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    return await _publish(console, edited.slug)


async def _publish(console: ConsoleContext, slug: str) -> web.StreamResponse:
    publication = await console.services.knowledge_editor.publish(slug, author=console.user_id)
    outcome = "knowledge.publish" if publication.published else "knowledge.publish-refused"
    await console.audit(outcome, slug)
    if publication.published:
        return console.see_other(f"/knowledge/entry/{slug}", published=1)
    edited = publication.entry or await _open(console)
    return await _render_entry(console, edited, publication=publication, status=422)


async def discard_draft(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    await console.services.knowledge_editor.discard(edited.slug)
    await console.audit("knowledge.discard", edited.slug)
    if edited.live is None:
        return console.see_other("/knowledge")
    return console.see_other(f"/knowledge/entry/{edited.slug}")


async def remove_taught(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    learned_id = _number(console.request.match_info.get("learned"))
    if learned_id is None:
        raise web.HTTPNotFound()
    await console.services.knowledge_editor.remove_taught(edited.slug, learned_id)
    await console.audit("knowledge.remove-taught", f"{edited.slug} {learned_id}")
    return console.see_other(f"/knowledge/entry/{edited.slug}")


# --- history -------------------------------------------------------------------------------------


async def history(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    versions = await console.services.knowledge_editor.history(edited.slug)
    names = await console.services.accounts.display_names(
        sorted({v.author for v in versions if v.author is not None})
    )
    return console.render(
        "knowledge_history.html",
        entry=views.entry_heading(console.t, edited),
        versions=[
            views.version_row(console.t, version, edited, names, console.time_zone)
            for version in versions
        ],
    )


async def compare_version(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    version_id = _number(console.request.match_info.get("version"))
    editor = console.services.knowledge_editor
    version = await editor.version(edited.slug, version_id) if version_id is not None else None
    if version is None:
        raise web.HTTPNotFound()
    differences = await editor.compare(edited.slug, version.id) or []
    names = await console.services.accounts.display_names(
        [version.author] if version.author is not None else []
    )
    return console.render(
        "knowledge_compare.html",
        entry=views.entry_heading(console.t, edited),
        version=views.version_row(console.t, version, edited, names, console.time_zone),
        differences=[views.difference_block(console.t, d) for d in differences],
    )


async def restore_version(console: ConsoleContext) -> web.StreamResponse:
    edited = await _open(console)
    version_id = _number(console.request.match_info.get("version"))
    if version_id is None:
        raise web.HTTPNotFound()
    publication = await console.services.knowledge_editor.restore(
        edited.slug, version_id, author=console.user_id
    )
    await console.audit(
        "knowledge.restore" if publication.published else "knowledge.restore-refused",
        f"{edited.slug} {version_id}",
    )
    if publication.published:
        return console.see_other(f"/knowledge/entry/{edited.slug}", restored=1)
    return await _render_entry(
        console, publication.entry or edited, publication=publication, status=422
    )


def register(site: ConsoleSite) -> None:
    site.get("/knowledge", entry_list, name="knowledge", nav=N_("Knowledge base"))
    site.post("/knowledge/new", new_entry, name="knowledge.create")
    site.get("/knowledge/entry/{slug}", entry_page, name="knowledge.entry")
    site.post("/knowledge/entry/{slug}/save", save_entry, name="knowledge.save")
    site.post("/knowledge/entry/{slug}/validate", validate_entry, name="knowledge.validate")
    site.post("/knowledge/entry/{slug}/confirm", confirm_language, name="knowledge.confirm")
    site.post("/knowledge/entry/{slug}/publish", publish_entry, name="knowledge.publish")
    site.post("/knowledge/entry/{slug}/discard", discard_draft, name="knowledge.discard")
    site.post(
        "/knowledge/entry/{slug}/taught/{learned}/remove",
        remove_taught,
        name="knowledge.remove-taught",
    )
    site.get("/knowledge/entry/{slug}/history", history, name="knowledge.history")
    site.get("/knowledge/entry/{slug}/compare/{version}", compare_version, name="knowledge.compare")
    site.post(
        "/knowledge/entry/{slug}/restore/{version}", restore_version, name="knowledge.restore"
    )
