"""Routes: the data a button carries and the pattern that receives it, typed and bounded."""

from __future__ import annotations

import pytest

from bot.callbacks import CALLBACK_DATA_MAX_BYTES, ID, PAGE, Choice, Feature, Token
from handlers import routes

FEATURE = Feature("tst")
RSVP = FEATURE.route("rsvp", ID, Choice("going", "maybe", "no"))
LIST = FEATURE.route("list", Token(8), PAGE)


def test_a_route_reads_back_what_it_wrote() -> None:
    assert RSVP.parse(RSVP.data(42, "maybe")) == (42, "maybe")
    assert LIST.parse(LIST.data("new.*", 3)) == ("new.*", 3)


@pytest.mark.parametrize(
    "data",
    [
        "2:tst:rsvp:42",  # an argument missing
        "2:tst:rsvp:42:going:1",  # one too many
        "2:tst:rsvp:42:perhaps",
        "2:tst:rsvp:" + "9" * 40 + ":going",
        "2:tst:rsvp:042:going",  # not how the bot writes numbers
        "2:tst:rsvp:-1:going",
        "2:tst:rsvp:٤٢:going",  # digits of another script
        "2:tst:list:new:1000",
        "1:tst:rsvp:42:going",  # an older version
        "2:tst:rsvpx:42:going",
        None,
    ],
)
def test_anything_else_is_not_the_route(data: str | None) -> None:
    assert RSVP.parse(data) is None
    assert LIST.parse(data) is None


def test_values_out_of_bounds_are_refused_when_building_a_button() -> None:
    with pytest.raises(ValueError, match="digits"):
        RSVP.data(10**18, "going")
    with pytest.raises(ValueError, match="one of"):
        RSVP.data(1, "perhaps")
    with pytest.raises(ValueError, match="token"):
        LIST.data("x" * 9, 0)
    with pytest.raises(ValueError, match="shorter"):
        RSVP.data(1)


def test_a_route_that_could_exceed_64_bytes_is_refused_at_declaration() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        FEATURE.route("long", Token(40), Token(20))


def test_the_catch_all_takes_any_data_of_its_feature_only() -> None:
    assert FEATURE.catch_all.match("2:tst:whatever:1")
    assert FEATURE.catch_all.match("1:tst")
    assert not FEATURE.catch_all.match("2:tstx:rsvp")


def test_every_route_of_the_bot_fits_in_64_bytes_and_is_declared_once() -> None:
    declared = [value for value in vars(routes).values() if hasattr(value, "action")]
    keys = [(route.feature, route.action) for route in declared]
    assert len(keys) == len(set(keys))
    for route in declared:
        longest = len(route.data(*[_largest(argument) for argument in route.arguments]))
        assert longest <= CALLBACK_DATA_MAX_BYTES


def _largest(argument: object) -> object:
    if isinstance(argument, Choice):
        return max(argument.options, key=len)
    if isinstance(argument, Token):
        return "A" * argument.max_chars if "A-Z" in argument.alphabet else "a" * argument.max_chars
    return 10**argument.digits - 1  # type: ignore[attr-defined]
