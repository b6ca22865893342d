"""The backers' rule, called alone on hand-built situations (no episode, no model).

Evidence encoded (docs/model.md 3.3, sim/model/parameters.csv, sim/kernel/rules.py):

- `backer_support`: a backer answers the opposition's appeal for weapons ("appealed to foreign
  states that back the rebels to send more weapons", 000 s32) with military aid, p =
  `backer_support_prob`, for `backer_support_days`; only an appeal addressed to that backer;
  each backer reads its own column of the rule's uniforms (its position among the run's
  backers), "so that adding a backer does not change the US's draws".
"""

from __future__ import annotations

import pytest
from situations import HIGH, LOW, codes, decide, fires_with, inbox, params, situation, threshold

from sim.model.rules import RULES

RULES_TESTED = ("backer_support",)

P = params()
APPEAL = ("OPP", "0232")


def appealed(to=("USA",), backers=("USA",)):
    return situation(inbox=inbox(**{b: [APPEAL] for b in to}), backers=backers)


def test_backer_support_answers_an_appeal_with_aid():
    (aid,) = decide("backer_support", appealed(), u=(LOW,))
    assert aid.effect == "support" and aid.payload == round(P["backer_support_days"])
    assert codes([aid]) == [("USA", "OPP", "072")]
    assert decide("backer_support", appealed(), params(backer_support_days=12), u=(LOW,))[0].payload == 12


def test_backer_support_probability_and_forcing():
    assert threshold(fires_with("backer_support", appealed(), 0)) == pytest.approx(P["backer_support_prob"], abs=1e-12)
    assert threshold(fires_with("backer_support", appealed(), 0, forced=0.1)) == pytest.approx(0.1, abs=1e-12)
    assert decide("backer_support", appealed(), u=(LOW,), forced=0.0) == []


@pytest.mark.parametrize(
    "addressed",
    [{}, {"TUR": [APPEAL]}, {"USA": [("ENVOY", "0232")]}, {"USA": [("OPP", "0256")]}, {"OPP": [APPEAL]}],
)
def test_backer_support_answers_only_an_appeal_addressed_to_it(addressed):
    s = situation(inbox=inbox(**addressed), backers=("TUR", "USA"))
    assert decide("backer_support", s, u=(LOW,) * 4, forced=1.0, backer="USA") == []


def test_backer_support_each_backer_reads_its_own_column():
    s = appealed(to=("TUR", "USA"), backers=("TUR", "USA"))
    turkey_column, us_column = 0, 1  # positions among the sorted backers
    assert codes(decide("backer_support", s, u=(LOW, HIGH, HIGH, HIGH), backer="TUR")) == [("TUR", "OPP", "072")]
    assert decide("backer_support", s, u=(LOW, HIGH, HIGH, HIGH), backer="USA") == []
    assert codes(decide("backer_support", s, u=(HIGH, LOW, HIGH, HIGH), backer="USA")) == [("USA", "OPP", "072")]
    for backer, column in (("TUR", turkey_column), ("USA", us_column)):
        own = threshold(fires_with("backer_support", s, column, backer=backer))
        assert own == pytest.approx(P["backer_support_prob"], abs=1e-12)
        others_low = [LOW] * 4
        others_low[column] = HIGH
        assert decide("backer_support", s, u=others_low, backer=backer) == []  # the others' columns do not move it


def test_backer_support_a_backer_sorting_after_the_us_leaves_the_us_draw_unchanged():
    u = (LOW, HIGH, HIGH, HIGH)
    alone = decide("backer_support", appealed(to=("USA",), backers=("USA",)), u=u)
    with_yemen = decide("backer_support", appealed(to=("USA", "YEM"), backers=("USA", "YEM")), u=u)
    assert alone == with_yemen != []


@pytest.mark.xfail(strict=True, reason=(
    "decide_backer_support (sim/kernel/rules.py) reads the backer's position among the sorted backers: a backer "
    "sorting before 'USA' (the shipped TUR) shifts the US to column 1, so adding it changes the US's "
    "draw, against the rule's docstring"))
def test_backer_support_adding_turkey_does_not_change_the_us_draw():
    u = (LOW, HIGH, HIGH, HIGH)
    alone = decide("backer_support", appealed(to=("USA",), backers=("USA",)), u=u)
    with_turkey = decide("backer_support", appealed(to=("USA", "TUR"), backers=("TUR", "USA")), u=u)
    assert alone == with_turkey


def test_backer_support_draws_one_column_per_backer_up_to_four():
    assert RULES["backer_support"].draws_per_day == 4
    backers = ("AAA", "BBB", "CCC", "USA")
    s = appealed(to=backers, backers=backers)
    for column, backer in enumerate(backers):
        u = [HIGH] * 4
        u[column] = LOW
        fired = [b for b in backers if decide("backer_support", s, u=u, backer=b)]
        assert fired == [backer]
