"""Knowledge content files: loading, validation, `content check` and `ask` output."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeIndex, load_directory, slugs_from_topics_markdown
from bot.knowledge.cli import ask, content_check
from bot.knowledge.content import MAX_ANSWER_CHARS, check_entries
from tests.harness import label

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content" / "knowledge"
SYNONYMS_FILE = ROOT / "content" / "synonyms.yaml"
INTENTS_FILE = ROOT / "content" / "intents.yaml"
# The steering repository's shared/ folder sits beside the checkout (on CI as well).
TOPICS_FILE = ROOT.parent / "shared" / "knowledge-topics.md"

ANSWER_EN = " ".join(["The Hub supports cities with prevention work."] * 12)
ANSWER_FR = " ".join(["Le Hub soutient les villes dans la prévention."] * 12)
ANSWER_AR = " ".join(["يدعم المركز المدن في مجال الوقاية من التطرف."] * 12)


def entry_data(slug: str, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "slug": slug,
        "topic": "hub",
        "related": [],
        "source": "https://strongcitiesnetwork.org/hub/",
        "title": {"en": f"Title {slug}", "fr": f"Titre {slug}", "ar": f"عنوان {slug}"},
        "answer": {"en": ANSWER_EN, "fr": ANSWER_FR, "ar": ANSWER_AR},
        "keywords": {"en": ["hub"], "fr": ["hub"], "ar": ["المركز"]},
        "questions": {
            "en": [f"What is {slug} number {n}?" for n in range(5)],
            "fr": [f"Qu'est-ce que {slug} numéro {n} ?" for n in range(5)],
            "ar": [f"ما هو {slug} رقم {n}؟" for n in range(5)],
        },
    }
    data.update(changes)
    return data


def write(directory: Path, slug: str, data: object, suffix: str = ".yaml") -> Path:
    path = directory / f"{slug}{suffix}"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def messages_for(problems: list[object], file_part: str) -> list[str]:
    return [p.text for p in problems if file_part in p.file]  # type: ignore[attr-defined]


# --- the real content -------------------------------------------------------------------------


def test_real_content_passes_content_check() -> None:
    if not CONTENT_DIR.is_dir() or not any(CONTENT_DIR.glob("*.yaml")):
        pytest.skip("content/knowledge has no entries yet")
    expected = None
    if TOPICS_FILE.is_file():
        expected = slugs_from_topics_markdown(TOPICS_FILE.read_text(encoding="utf-8"))
        assert len(expected) == 41
    out = io.StringIO()
    code = content_check(
        CONTENT_DIR, expected, out, synonyms_file=SYNONYMS_FILE, intents_file=INTENTS_FILE
    )
    assert code == 0, out.getvalue()
    assert "synonym groups and 10 intents loaded" in out.getvalue()


def test_real_content_entries_all_load() -> None:
    if not CONTENT_DIR.is_dir() or not any(CONTENT_DIR.glob("*.yaml")):
        pytest.skip("content/knowledge has no entries yet")
    loaded = load_directory(CONTENT_DIR)
    assert loaded.errors == []
    assert len(loaded.entries) == len(list(CONTENT_DIR.glob("*.yaml")))


def test_slugs_from_topics_markdown() -> None:
    text = "| slug | what |\n|---|---|\n| `hub-overview` | x |\n| `nlc` | y |\n"
    assert slugs_from_topics_markdown(text) == ["hub-overview", "nlc"]


# --- loading ------------------------------------------------------------------------------------


def test_valid_directory_loads_without_problems(tmp_path: Path) -> None:
    write(tmp_path, "alpha", entry_data("alpha", related=["beta"]))
    write(tmp_path, "beta", entry_data("beta", topic="events", source=None))
    loaded = load_directory(tmp_path)
    assert loaded.problems == []
    assert list(loaded.entries) == ["alpha", "beta"]
    alpha = loaded.entries["alpha"]
    assert alpha.related == ("beta",)
    assert alpha.title.get("fr") == "Titre alpha"
    assert alpha.keywords.get("ar") == ("المركز",)
    assert loaded.entries["beta"].source is None


def test_example_questions_load_per_language(tmp_path: Path) -> None:
    questions = {"en": ["How do I ask for help?"], "fr": ["Comment demander de l'aide ?"]}
    write(tmp_path, "alpha", entry_data("alpha", questions=questions))
    write(tmp_path, "beta", entry_data("beta", questions={"en": "not a list"}))
    write(tmp_path, "gamma", entry_data("gamma", questions=["no languages"]))
    loaded = load_directory(tmp_path)
    alpha = loaded.entries["alpha"]
    assert alpha.questions.get("fr") == ("Comment demander de l'aide ?",)
    assert alpha.questions.get("ar") == ()
    assert loaded.entries["beta"].questions.get("en") == ("not a list",)
    assert "gamma" not in loaded.entries
    assert any("'questions' must map" in m for m in messages_for(loaded.problems, "gamma"))


def test_broken_yaml_is_reported_and_others_still_load(tmp_path: Path) -> None:
    write(tmp_path, "good", entry_data("good"))
    (tmp_path / "broken.yaml").write_text("slug: broken\ntitle: [unclosed\n", encoding="utf-8")
    (tmp_path / "list.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    loaded = load_directory(tmp_path)
    assert list(loaded.entries) == ["good"]
    assert any("invalid YAML" in m for m in messages_for(loaded.problems, "broken.yaml"))
    assert messages_for(loaded.problems, "list.yaml")


def test_missing_language_is_reported(tmp_path: Path) -> None:
    data = entry_data("nofr")
    data["answer"] = {"en": ANSWER_EN, "ar": ANSWER_AR}
    write(tmp_path, "nofr", data)
    loaded = load_directory(tmp_path)
    assert "nofr" not in loaded.entries
    assert "missing answer in fr" in messages_for(loaded.problems, "nofr.yaml")


def test_missing_title_and_keywords_languages_are_reported(tmp_path: Path) -> None:
    data = entry_data("partial", title={"en": "T"}, keywords={"fr": ["x"], "en": ["y"]})
    write(tmp_path, "partial", data)
    messages = messages_for(load_directory(tmp_path).problems, "partial.yaml")
    assert "missing title in ar" in messages
    assert "missing title in fr" in messages
    assert "missing keywords in ar" in messages


def test_unknown_related_slug_is_reported_and_dropped(tmp_path: Path) -> None:
    write(tmp_path, "alpha", entry_data("alpha", related=["ghost", "beta"]))
    write(tmp_path, "beta", entry_data("beta"))
    loaded = load_directory(tmp_path)
    assert any("'ghost'" in m for m in messages_for(loaded.problems, "alpha.yaml"))
    assert loaded.entries["alpha"].related == ("beta",)


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://strongcitiesnetwork.org/x", "https://", "https://bad host.org"]
)
def test_bad_source_url_is_reported(tmp_path: Path, url: str) -> None:
    write(tmp_path, "badurl", entry_data("badurl", source=url))
    loaded = load_directory(tmp_path)
    assert "badurl" not in loaded.entries
    assert any("source" in m for m in messages_for(loaded.problems, "badurl.yaml"))


def test_too_long_answer_is_an_error(tmp_path: Path) -> None:
    long_answer = "word " * (MAX_ANSWER_CHARS // 5 + 10)
    data = entry_data("long", answer={"en": long_answer, "fr": ANSWER_FR, "ar": ANSWER_AR})
    write(tmp_path, "long", data)
    loaded = load_directory(tmp_path)
    assert "long" not in loaded.entries
    assert any(
        "answer in en is" in m and "Telegram" in m
        for m in messages_for(loaded.problems, "long.yaml")
    )


def test_short_answer_is_only_a_warning(tmp_path: Path) -> None:
    data = entry_data("short", answer={"en": "Too short.", "fr": ANSWER_FR, "ar": ANSWER_AR})
    write(tmp_path, "short", data)
    loaded = load_directory(tmp_path)
    assert "short" in loaded.entries
    assert [p.severity for p in loaded.problems] == ["warning"]
    out = io.StringIO()
    assert content_check(tmp_path, None, out) == 0
    assert "short.yaml: warning: answer in en has 2 words" in out.getvalue()


def test_slug_must_equal_file_name(tmp_path: Path) -> None:
    write(tmp_path, "file-name", entry_data("other-name"))
    loaded = load_directory(tmp_path)
    assert loaded.entries == {}
    assert any("does not match the file name" in m for m in messages_for(loaded.problems, "file"))


def test_unknown_topic_and_missing_fields(tmp_path: Path) -> None:
    write(tmp_path, "weird", entry_data("weird", topic="sports"))
    nothing = {"slug": "bare"}
    write(tmp_path, "bare", nothing)
    loaded = load_directory(tmp_path)
    assert any("unknown topic 'sports'" in m for m in messages_for(loaded.problems, "weird"))
    bare = messages_for(loaded.problems, "bare.yaml")
    assert "missing topic" in bare
    assert "missing answer in en" in bare


def test_duplicate_slug_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "twin", entry_data("twin"))
    write(tmp_path, "twin", entry_data("twin"), suffix=".yml")
    loaded = load_directory(tmp_path)
    assert list(loaded.entries) == ["twin"]
    assert any("duplicate slug" in p.text for p in loaded.problems)


def test_check_entries_reports_missing_expected_slugs(tmp_path: Path) -> None:
    write(tmp_path, "alpha", entry_data("alpha"))
    loaded = load_directory(tmp_path)
    problems = check_entries(loaded.entries, expected_slugs=["alpha", "beta"])
    assert [(p.file, p.text) for p in problems] == [
        ("beta.yaml", "expected entry is missing or did not load")
    ]


def test_content_check_prints_one_line_per_problem(tmp_path: Path) -> None:
    write(tmp_path, "alpha", entry_data("alpha", related=["ghost"]))
    (tmp_path / "broken.yaml").write_text(": : :\n", encoding="utf-8")
    out = io.StringIO()
    assert content_check(tmp_path, ["alpha", "beta"], out) == 1
    lines = out.getvalue().splitlines()
    assert any(line.startswith(f"{tmp_path / 'alpha.yaml'}: related slug") for line in lines)
    assert any(line.startswith(f"{tmp_path / 'broken.yaml'}: ") for line in lines)
    assert any(line.startswith(f"{tmp_path / 'beta.yaml'}: expected entry") for line in lines)


def test_missing_directory_is_a_problem(tmp_path: Path) -> None:
    out = io.StringIO()
    assert content_check(tmp_path / "nowhere", None, out) == 1


# --- ask ----------------------------------------------------------------------------------------


@pytest.fixture
def small_index(tmp_path: Path) -> KnowledgeIndex:
    write(
        tmp_path,
        "contact",
        entry_data(
            "contact",
            title={"en": "Contact the Hub", "fr": "Contacter le Hub", "ar": "التواصل مع المركز"},
            keywords={"en": ["contact", "email"], "fr": ["contacter"], "ar": ["تواصل"]},
        ),
    )
    return KnowledgeIndex.build(load_directory(tmp_path).entries)


def test_ask_json_lines(small_index: KnowledgeIndex) -> None:
    out = io.StringIO()
    code = ask(
        ["how do I contact the hub", "weather tomorrow?"],
        index=small_index,
        lang=None,
        as_json=True,
        out=out,
    )
    assert code == 0
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["query"] == "how do I contact the hub"
    assert first["lang"] == "en"
    assert first["answer"] == "contact"
    assert first["tier"] == "answer"
    assert first["declined"] is False
    assert first["intent"] is None
    assert second["answer"] is None
    assert second["suggestions"] == []
    assert second["declined"] is True


def test_ask_human_readable_in_the_given_language(small_index: KnowledgeIndex) -> None:
    out = io.StringIO()
    ask(["contact"], index=small_index, lang="fr", as_json=False, out=out)
    text = out.getvalue()
    assert "Contacter le Hub" in text
    assert "Le Hub soutient" in text
    assert label("fr", "Source: {link}", link="https://strongcitiesnetwork.org/hub/") in text


def test_ask_says_when_it_does_not_know(small_index: KnowledgeIndex) -> None:
    out = io.StringIO()
    ask(["كيف الطقس بكرة"], index=small_index, lang=None, as_json=False, out=out)
    assert label("ar", "No knowledge-base entry answers this question.") in out.getvalue()
