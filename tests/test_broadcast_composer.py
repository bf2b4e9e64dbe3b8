"""An announcement written all at once (the console's composer) keeps the rules of /broadcast
and goes through the same service."""

from __future__ import annotations

from bot.broadcasts import Problem
from bot.broadcasts.composer import compose, send_test
from bot.broadcasts.service import CAPTION_LIMIT, TEXT_LIMIT
from tests.harness import ADMIN, Harness
from tests.test_broadcast import add_focal_point, broadcast_messages, wait_for_report


async def test_the_composer_checks_counts_tests_and_sends(bot: Harness) -> None:
    service = bot.services.broadcasts
    await bot.say(ADMIN, "/start")
    await add_focal_point(bot, 301, "ar", "EG", "Cairo")
    await add_focal_point(bot, 302, "fr", "MA", "Fes")
    await add_focal_point(bot, 303, "en", "MA", "Rabat")
    await add_focal_point(bot, 304, "ar", "MA", "Tangier")
    everyone = {"kind": "fp", "values": []}

    counts = await service.counts(everyone)
    assert counts.total == 4
    assert counts.by_language == {"ar": 2, "fr": 1, "en": 1}
    assert counts.by_country == {"EG": 1, "MA": 3}
    morocco = await service.counts({"kind": "cty", "values": ["MA"]})
    assert (morocco.total, morocco.by_country) == (3, {"MA": 3})

    # The rules of the steps: a version too long (emoji count twice, tags not at all), nothing
    # written, an audience with nothing chosen or nobody in it.
    too_long = "😀" * (TEXT_LIMIT // 2 + 1)
    check = await compose(service, ADMIN, {"ar": "<b>نص</b>", "fr": too_long}, everyone)
    assert check.versions == {"fr": (Problem.TOO_LONG, TEXT_LIMIT)}
    assert not check.ok
    # With a file, a text longer than a caption is taken: it follows the file as a second
    # message; longer than a message it is not.
    photo = {"kind": "photo", "file_id": "abc"}
    nobody = {"kind": "cty", "values": []}
    check = await compose(service, ADMIN, {"en": "x" * (CAPTION_LIMIT + 1)}, nobody, photo)
    assert check.versions == {}
    parts = service.parts_for(
        {"en": "x" * (CAPTION_LIMIT + 1)}, "photo", "abc", language="en", version="en", country=None
    )
    assert [(part.attachment_kind, part.text) for part in parts] == [
        ("photo", None),
        (None, "x" * (CAPTION_LIMIT + 1)),
    ]
    check = await compose(service, ADMIN, {"en": "x" * (TEXT_LIMIT + 1)}, nobody, photo)
    assert check.versions == {"en": (Problem.TOO_LONG, TEXT_LIMIT)}
    check = await compose(service, ADMIN, {"ar": "  "}, {"kind": "cty", "values": []})
    assert check.versions == {"ar": (Problem.EMPTY, None)}
    assert check.audience is Problem.NOTHING_CHOSEN
    check = await compose(service, ADMIN, {"en": "Hi"}, {"kind": "cty", "values": ["XX"]})
    assert check.audience is Problem.NOTHING_CHOSEN
    check = await compose(service, ADMIN, {"en": "Hi"}, {"kind": "cty", "values": ["LY"]})
    assert check.audience is Problem.NO_RECIPIENTS
    assert await service.draft(ADMIN) is None

    versions = {"ar": "إعلان <b>مهم</b>", "fr": "Annonce <b>importante</b>", "en": "News"}
    check = await compose(service, ADMIN, versions, {"kind": "cty", "values": ["MA"]})
    assert check.ok
    # A test to myself: the Arabic version as an Arabic reader gets it, nothing recorded.
    assert await send_test(service, ADMIN, "ar", {"versions": versions})
    assert broadcast_messages(bot, ADMIN, "إعلان")[-1].text == "إعلان مهم"
    broadcast = await service.submit(ADMIN)
    assert not isinstance(broadcast, Exception) and getattr(broadcast, "id", None) == 1
    await wait_for_report(bot)
    assert [len(broadcast_messages(bot, user, "Annonce")) for user in (302, 303)] == [1, 0]
    assert len(broadcast_messages(bot, 304, "إعلان")) == 1
    assert len(broadcast_messages(bot, 303, "News")) == 1
    assert not broadcast_messages(bot, 301, "إعلان")
