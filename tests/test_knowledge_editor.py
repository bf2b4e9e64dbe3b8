"""The publishing gate on plain values (bot/knowledge/editor.py), entries as JSON and YAML,
and the content folder in and out of the database (`hubbot content import/export`)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from bot.__main__ import main
from bot.knowledge.content import Entry, Translated, load_directory
from bot.knowledge.editor import (
    Change,
    LanguageState,
    can_publish,
    compare,
    confirm,
    language_states,
    publication_problems,
    review_after_edit,
    word_runs,
)
from bot.knowledge.records import entry_from_json, entry_to_json, entry_to_yaml
from tests.test_content import ANSWER_AR, ANSWER_EN, ANSWER_FR

ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = ROOT / "content" / "knowledge"
COMMITTED = load_directory(CONTENT_DIR).entries


def entry(slug: str = "city-guide", **changes: object) -> Entry:
    base = Entry(
        slug=slug,
        topic="resources",
        title=Translated("دليل المدن", "Guide des villes", "Guide for cities"),
        answer=Translated(ANSWER_AR, ANSWER_FR, ANSWER_EN),
        keywords=Translated(("دليل",), ("guide",), ("guide",)),
        source="https://strongcitiesnetwork.org/guide/",
        questions=Translated(
            tuple(f"ما هو الدليل {n}؟" for n in range(5)),
            tuple(f"Qu'est-ce que le guide {n} ?" for n in range(5)),
            tuple(f"What is guide {n}?" for n in range(5)),
        ),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def with_answer(original: Entry, lang: str, text: str) -> Entry:
    answers = dict(original.answer.items())
    answers[lang] = text
    return replace(original, answer=Translated(answers["ar"], answers["fr"], answers["en"]))


# --- states and review --------------------------------------------------------------------------


def test_each_language_is_complete_missing_or_waiting_for_review() -> None:
    no_french = with_answer(entry(), "fr", "")
    assert language_states(no_french, ("en",)) == {
        "ar": LanguageState.COMPLETE,
        "fr": LanguageState.MISSING,
        "en": LanguageState.REVIEW,
    }


def test_editing_arabic_marks_french_and_english_for_review() -> None:
    before = entry()
    after = with_answer(before, "ar", ANSWER_AR + " وأكثر")
    assert review_after_edit(before, after, ()) == ("fr", "en")


def test_editing_a_language_waiting_for_review_clears_it() -> None:
    before = entry()
    after = with_answer(before, "fr", ANSWER_FR + " Et plus.")
    assert review_after_edit(before, after, ("fr", "en")) == ("ar", "en")


def test_writing_a_missing_translation_marks_nothing() -> None:
    before = with_answer(entry(), "fr", "")
    assert review_after_edit(before, entry(), ()) == ()


def test_emptying_a_language_marks_nothing_else() -> None:
    before = entry()
    emptied = with_answer(before, "fr", "")
    assert review_after_edit(before, emptied, ("fr", "en")) == ("en",)
    assert language_states(emptied, ("en",))["fr"] is LanguageState.MISSING


def test_changing_only_shared_fields_keeps_the_review_state() -> None:
    before = entry()
    after = replace(before, topic="themes")
    assert review_after_edit(before, after, ("en",)) == ("en",)
    assert review_after_edit(None, after, ()) == ()


def test_confirming_a_language_removes_it_from_review() -> None:
    assert confirm(("fr", "en"), "fr") == ("en",)
    assert confirm(("en",), "fr") == ("en",)


# --- the gate ----------------------------------------------------------------------------------


def test_a_complete_entry_passes_the_gate() -> None:
    problems = publication_problems(entry(), (), COMMITTED)
    assert can_publish(problems), [p.text for p in problems]


def test_a_missing_french_answer_is_refused() -> None:
    problems = publication_problems(with_answer(entry(), "fr", ""), (), COMMITTED)
    assert not can_publish(problems)
    assert "missing answer in fr" in [p.text for p in problems if p.is_error]


def test_a_language_waiting_for_review_is_refused_until_confirmed() -> None:
    problems = publication_problems(entry(), ("en",), COMMITTED)
    assert not can_publish(problems)
    assert "the en text waits for review: confirm it or edit it" in [p.text for p in problems]
    assert can_publish(publication_problems(entry(), confirm(("en",), "en"), COMMITTED))


def test_the_gate_uses_the_checks_of_content_check() -> None:
    html = with_answer(entry(), "en", ANSWER_EN + " <b>bold</b>")
    dangling = entry(related=("no-such-entry",))
    assert "answer in en contains HTML; write plain text" in [
        p.text for p in publication_problems(html, (), COMMITTED)
    ]
    assert "related slug 'no-such-entry' does not exist" in [
        p.text for p in publication_problems(dangling, (), COMMITTED)
    ]


def test_problems_are_translated_for_the_staff_member() -> None:
    from bot.i18n import Catalogs

    [problem] = [
        p for p in publication_problems(with_answer(entry(), "fr", ""), (), COMMITTED) if p.is_error
    ]
    for language in ("ar", "fr"):
        translated = problem.in_language(Catalogs.load().translator(language).label)
        assert translated != problem.text
        assert "fr" in translated


# --- comparing ---------------------------------------------------------------------------------


def test_compare_names_each_field_and_language_that_differs() -> None:
    before = entry()
    after = replace(with_answer(before, "ar", ANSWER_AR + " جديد"), topic="themes")
    differences = compare(before, after)
    assert [(d.field, d.lang) for d in differences] == [("topic", ""), ("answer", "ar")]
    assert (Change.ADDED, "جديد") in differences[1].runs


def test_word_runs_show_what_was_removed_and_added() -> None:
    assert word_runs("The Hub was launched in 2023", "The Hub was launched in 2024") == (
        (Change.SAME, "The Hub was launched in"),
        (Change.REMOVED, "2023"),
        (Change.ADDED, "2024"),
    )


# --- JSON and YAML -----------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(COMMITTED))
def test_every_committed_entry_survives_json_and_yaml(slug: str) -> None:
    original = COMMITTED[slug]
    assert entry_from_json(entry_to_json(original)) == original
    from bot.knowledge.content import entry_from_mapping

    assert entry_from_mapping(yaml.safe_load(entry_to_yaml(original))) == original


def test_yaml_keeps_markup_quotes_and_odd_spacing_literally() -> None:
    from bot.knowledge.content import entry_from_mapping

    tricky = with_answer(
        entry(keywords=Translated(('"quoted"',), ("a: b",), ("#hash", "- dash"))),
        "en",
        '<script>alert("x")</script>\n  indented line \n\ttab & {brace}',
    )
    assert entry_from_mapping(yaml.safe_load(entry_to_yaml(tricky))) == tricky


# --- the folder in and out of the database ----------------------------------------------------


def test_export_writes_every_committed_entry_back_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUBBOT_DATABASE", str(tmp_path / "hub.sqlite3"))
    monkeypatch.setenv("HUBBOT_CONTENT_DIR", str(ROOT / "content"))
    exported = tmp_path / "exported"
    assert main(["content", "export", str(exported)]) == 0
    assert f"{len(COMMITTED)} entries written" in capsys.readouterr().out
    originals = sorted(path.name for path in CONTENT_DIR.glob("*.yaml"))
    assert sorted(path.name for path in exported.iterdir()) == originals
    for name in originals:
        assert (exported / name).read_bytes() == (CONTENT_DIR / name).read_bytes(), name


def test_import_publishes_changes_and_refuses_a_folder_with_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUBBOT_DATABASE", str(tmp_path / "hub.sqlite3"))
    monkeypatch.setenv("HUBBOT_CONTENT_DIR", str(ROOT / "content"))
    folder = tmp_path / "folder"
    shutil.copytree(CONTENT_DIR, folder)
    assert main(["content", "import", str(folder)]) == 0
    assert f"{len(COMMITTED)} entries published" in capsys.readouterr().out
    nlc = folder / "nlc.yaml"
    nlc.write_text(nlc.read_text(encoding="utf-8").replace("(NLC)", "(NLC, changed)"), "utf-8")
    assert main(["content", "import", str(folder)]) == 0
    assert "1 entries published" in capsys.readouterr().out
    broken = folder / "hub-overview.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("topic: hub", "topic: x"), "utf-8")
    nlc.write_text(nlc.read_text(encoding="utf-8").replace("changed", "again"), "utf-8")
    assert main(["content", "import", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "unknown topic 'x'" in out
    assert "nothing imported" in out
    exported = tmp_path / "exported"
    assert main(["content", "export", str(exported)]) == 0
    assert "(NLC, changed)" in (exported / "nlc.yaml").read_text(encoding="utf-8")
    assert main(["content", "check", str(exported)]) == 0


@pytest.mark.parametrize("slug", sorted(COMMITTED))
def test_the_console_form_gives_back_every_committed_entry(slug: str) -> None:
    from bot.knowledge.editor import entry_from_form, form_of

    original = COMMITTED[slug]
    assert entry_from_form(slug, form_of(original)) == original


def test_the_form_takes_lines_commas_and_windows_line_ends() -> None:
    from bot.knowledge.editor import entry_from_form

    typed = entry_from_form(
        "guide",
        {
            "topic": " resources ",
            "related": "nlc, hub-overview\nmember-cities",
            "answer_en": "First.\r\n\r\nSecond.",
            "keywords_fr": "guide\n\n  villes ",
            "source": "  ",
        },
    )
    assert typed.related == ("nlc", "hub-overview", "member-cities")
    assert typed.answer.en == "First.\n\nSecond."
    assert typed.keywords.fr == ("guide", "villes")
    assert (typed.topic, typed.source, typed.title.ar) == ("resources", None, "")
