"""Synonyms as data: groups of words and phrases that ask for the same thing, per language,
from content/synonyms.yaml, with their validation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from bot.knowledge.content import ContentProblem
from bot.knowledge.normalize import LANGUAGES, Lang, tokenize

SYNONYMS_FILE_NAME: Final = "synonyms.yaml"
MIN_GROUP_MEMBERS: Final = 2


@dataclass(frozen=True)
class SynonymGroup:
    """Words and phrases people use for one thing ("municipality", "city council", ...).

    Members may be in any script: a group of the Arabic section can hold the same word in
    Latin letters (baladiya) or a demonym beside its country (عراقي, العراق).
    """

    language: Lang
    members: tuple[str, ...]


@dataclass(frozen=True)
class Synonyms:
    groups: tuple[SynonymGroup, ...] = ()

    def __len__(self) -> int:
        return len(self.groups)


def synonyms_from_mapping(data: Any, *, file: str) -> tuple[Synonyms, list[ContentProblem]]:
    """Groups from parsed YAML (`{ar|fr|en: [[member, member, ...], ...]}`); a broken group is
    reported and left out, the others are kept."""
    problems: list[ContentProblem] = []

    def error(message: str) -> None:
        problems.append(ContentProblem(file, message))

    if data is None:
        return Synonyms(), problems
    if not isinstance(data, dict):
        error("the file must map languages (ar, fr, en) to lists of synonym groups")
        return Synonyms(), problems
    groups: list[SynonymGroup] = []
    for language, raw_groups in data.items():
        if language not in LANGUAGES:
            error(f"unknown language {language!r} (expected one of: {', '.join(LANGUAGES)})")
            continue
        if not isinstance(raw_groups, list):
            error(f"{language}: expected a list of groups")
            continue
        for number, raw in enumerate(raw_groups, start=1):
            where = f"{language} group {number}"
            if not isinstance(raw, list) or not all(isinstance(m, str) for m in raw):
                error(f"{where}: a group is a list of words or phrases")
                continue
            members = tuple(dict.fromkeys(" ".join(m.split()) for m in raw if m.strip()))
            if len(members) < MIN_GROUP_MEMBERS:
                error(f"{where}: a group needs at least {MIN_GROUP_MEMBERS} different members")
                continue
            empty = [m for m in members if not tokenize(m)]
            if empty:
                error(
                    f"{where}: {', '.join(empty)}: only question words or stopwords, "
                    "which the search ignores"
                )
                continue
            groups.append(SynonymGroup(language, members))
    return Synonyms(tuple(groups)), problems


def load_synonyms(path: str | Path) -> tuple[Synonyms, list[ContentProblem]]:
    """The synonyms file; a missing file means no synonyms, which is not a problem."""
    file = Path(path)
    if not file.is_file():
        return Synonyms(), []
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return Synonyms(), [ContentProblem(str(file), f"cannot read file: {exc}")]
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        return Synonyms(), [ContentProblem(str(file), f"invalid YAML: {detail}")]
    return synonyms_from_mapping(data, file=str(file))
