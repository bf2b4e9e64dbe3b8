"""A folder of content files, in and out of the database: the first start's import, `hubbot
content import DIR` and `hubbot content export DIR`, so content can still be reviewed in git."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.knowledge.content import ContentProblem, Entry, load_directory
from bot.knowledge.editor import language_states
from bot.knowledge.records import entry_to_json, entry_to_yaml
from storage.knowledge import NewVersion
from storage.models import KnowledgeSummary


@dataclass(frozen=True)
class FolderEntry:
    entry: Entry
    file_text: str  # the file as it is on disk, byte for byte (decoded from UTF-8)


def read_folder(directory: Path) -> tuple[dict[str, FolderEntry], list[ContentProblem]]:
    """The entries of a content folder that pass the checks, with their files' text; and the
    problems `hubbot content check` reports for it."""
    loaded = load_directory(directory)
    folder = {
        slug: FolderEntry(entry, Path(loaded.files[slug]).read_bytes().decode("utf-8"))
        for slug, entry in loaded.entries.items()
    }
    return folder, loaded.problems


def summary_of(entry: Entry, review: tuple[str, ...] = ()) -> KnowledgeSummary:
    return KnowledgeSummary(
        slug=entry.slug,
        topic=entry.topic,
        titles=dict(entry.title.items()),
        states={lang: str(state) for lang, state in language_states(entry, review).items()},
    )


def versions_to_publish(
    folder: Mapping[str, FolderEntry], live: Mapping[str, Entry], *, author: int | None
) -> list[NewVersion]:
    """A version for each entry of the folder that is new or differs from the live one."""
    return [
        NewVersion(
            slug=slug,
            entry=entry_to_json(item.entry),
            summary=summary_of(item.entry),
            kind="import",
            author=author,
            file_text=item.file_text,
        )
        for slug, item in folder.items()
        if live.get(slug) != item.entry
    ]


def file_text(entry: Entry, imported_text: str | None) -> str:
    """What `hubbot content export` writes for a live version: the imported file unchanged when
    nobody edited the entry since, else the entry written out in the files' layout."""
    return imported_text if imported_text is not None else entry_to_yaml(entry)


def write_folder(directory: Path, files: Mapping[str, str]) -> int:
    """Write `<slug>.yaml` for each entry (bytes as given); returns how many were written."""
    directory.mkdir(parents=True, exist_ok=True)
    for slug, text in files.items():
        (directory / f"{slug}.yaml").write_bytes(text.encode("utf-8"))
    return len(files)
