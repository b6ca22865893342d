"""The UN envoy's rules: convening, appeals to the backers, pausing and resuming the talks."""

from __future__ import annotations

from collections.abc import Mapping

from sim.model.rules.base import Action, Effect, Emission, Quantity, Rule, sigmoid, strikes_mean
from sim.model.world import Situation
from sim.scenario_types import CeasefireState, TalksState

OPEN = Emission("ENVOY", ("GOV", "OPP"), "045")  # the formal opening (a scheduled event)
MEET = Emission("ENVOY", ("GOV", "OPP"), "040")
APPEAL = Emission("ENVOY", ("RUS", "BACKER"), "022")
URGE_CEASEFIRE = Emission("ENVOY", ("RUS", "BACKER"), "020")
WARN = Emission("ENVOY", ("GOV", "OPP"), "012")
PAUSE = Emission("ENVOY", ("GOV", "OPP"), "165")
BLAME_RUSSIA = Emission("ENVOY", ("RUS",), "112")
RESUME = Emission("ENVOY", ("GOV", "OPP"), "045")
SCHEDULE = Emission("ENVOY", ("GOV", "OPP"), "036")  # announces the date the talks resume
CLOSE_ROUND = Emission("ENVOY", ("GOV", "OPP"), "165")  # a round ends as planned


def decide_convene(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Meet each attending party while the talks are in session."""
    if s.talks is not TalksState.IN_SESSION:
        return []
    prob = p["envoy_meeting_prob"] if forced is None else forced
    events = []
    if u[0] < prob:
        events.append(MEET.to("GOV", "meets the government delegation"))
    if s.opp_present and u[1] < prob:
        events.append(MEET.to("OPP", "meets the opposition delegation"))
    return [Action("envoy_convene", tuple(events))] if events else []


def decide_appeal(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Appeal to the parties' backers when violence is high, a party is absent or a
    ceasefire has just collapsed."""
    if s.talks in (TalksState.COLLAPSED, TalksState.AGREEMENT):
        return []
    violence_high = strikes_mean(s, p) > p["envoy_violence_level"]
    if not violence_high:
        absent = s.talks is TalksState.IN_SESSION and not s.opp_present
        collapse_day = s.ceasefire_collapse_day
        recent_collapse = collapse_day is not None and s.day - collapse_day <= p["envoy_collapse_memory_days"]
        if not (absent or recent_collapse):
            return []
    prob = p["envoy_appeal_prob"] if forced is None else forced
    actions = []
    if u[0] < prob:
        events = []
        for backer in s.envoy_reach:
            events.append(APPEAL.to(backer, "asks the backers for immediate help"))
            if s.ceasefire is not CeasefireState.IN_EFFECT:
                events.append(URGE_CEASEFIRE.to(backer, "urges a ceasefire"))
        actions.append(Action("envoy_appeal", tuple(events)))
    if s.talks is TalksState.IN_SESSION and u[1] < p["envoy_warning_prob"]:
        actions.append(Action("envoy_appeal", WARN.to_all("warns that the talks may fail")))
    return actions


def pause(days: int, text: str, blame_russia: bool = False) -> Action:
    """The envoy pauses the talks for `days` days (with blame on the Russian escalation)."""
    events = PAUSE.to_all(text)
    if blame_russia:
        events += (BLAME_RUSSIA.to("RUS", "blames the Russian escalation"),)
    return Action("envoy_pause", events, "pause", days)


def decide_pause(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """'I won't talk for the sake of talking': pause at a hazard rising with violence; a round
    that reached its planned end closes."""
    if s.talks is not TalksState.IN_SESSION:
        return []
    prob = forced
    if prob is None:
        absent = (not s.opp_present) or s.ultimatum_running
        prob = sigmoid(
            p["envoy_pause_base"]
            + p["envoy_pause_violence_gain"] * strikes_mean(s, p) / 100.0
            + p["envoy_pause_absence_gain"] * absent
        )
    if u[0] >= prob:
        if s.round_end_due is not None and s.day >= s.round_end_due:
            days = int(round(p["talks_round_interval_days"]))
            return [Action("envoy_pause", CLOSE_ROUND.to_all("closes the round of talks"), "round_end", days)]
        return []
    days = int(round(p["envoy_pause_days"]))
    blame = s.rus_strikes_yesterday > 0 and u[1] < p["envoy_blame_prob"]
    return [pause(days, f"pauses the talks for {days} days", blame)]


def round_days(p: Mapping[str, float]) -> int:
    """Days a round of talks runs from its opening or resumption (`talks_round_days`)."""
    return int(round(p["talks_round_days"]))


def resume(p: Mapping[str, float]) -> Action:
    """The envoy resumes the talks for a round of `talks_round_days` days."""
    return Action("envoy_resume", RESUME.to_all("resumes the talks"), "resume", round_days(p))


def calm(s: Situation, p: Mapping[str, float]) -> bool:
    """Whether the ground allows talks: a ceasefire in effect (or accepted by both parties with
    its start date set), or strikes below `envoy_resume_level`."""
    if s.ceasefire is CeasefireState.IN_EFFECT or (s.ceasefire is CeasefireState.TERMS and s.ceasefire_accepted):
        return True
    return strikes_mean(s, p) < p["envoy_resume_level"]


def decide_resume(s: Situation, p: Mapping[str, float], u: list[float], forced: float | None) -> list[Action]:
    """Once the pause is over and the ground is calm, announce the talks resume
    `envoy_notice_days` later; resume on that day if it is still calm, else postpone. A pause
    that lasts too long without an announced date is a collapse of the talks."""
    if s.talks is not TalksState.PAUSED or s.resume_due is None or s.day < s.resume_due:
        return []
    quiet = calm(s, p)
    if s.round_scheduled_day is not None:
        if s.day < s.round_scheduled_day:
            return []
        return [resume(p)] if quiet else [Action("envoy_resume", (), "postpone_round")]
    if quiet and u[0] < (1.0 if forced is None else forced):
        days = int(round(p["envoy_notice_days"]))
        return [Action("envoy_resume", SCHEDULE.to_all(f"announces the talks resume in {days} days"), "schedule_round",
                       days)]
    if s.day >= s.resume_due + p["talks_collapse_days"]:
        return [Action("envoy_resume", (), "talks_collapse")]
    return []


def _open(model, action: Action) -> None:
    w = model.world
    w.talks, w.talks_open_day = TalksState.IN_SESSION, model.day
    w.round_end_due = model.day + action.payload
    model.milestone("talks_open")
    model.record(action)


def _stop_round(model, action: Action, milestone: str) -> bool:
    """Stop the talks in session until `action.payload` days from today (a pause or a round's
    end): False when they were not in session."""
    w = model.world
    if w.talks is not TalksState.IN_SESSION:
        return False
    w.talks, w.resume_due, w.ultimatum_deadline = TalksState.PAUSED, model.day + action.payload, None
    w.round_end_due = None
    model.milestone(milestone)
    model.record(action)
    return True


def _pause(model, action: Action) -> None:
    w = model.world
    if _stop_round(model, action, "talks_pause"):
        w.pause_announced = True
        if w.talks_pause_day is None:
            w.talks_pause_day = model.day


def _round_end(model, action: Action) -> None:
    _stop_round(model, action, "round_ends")


def _schedule_round(model, action: Action) -> None:
    w = model.world
    if w.talks is not TalksState.PAUSED:
        return
    w.round_scheduled_day = model.day + action.payload
    model.milestone("talks_scheduled")
    model.record(action)


def _postpone_round(model, action: Action) -> None:
    model.world.round_scheduled_day = None


def _resume(model, action: Action) -> None:
    w = model.world
    if w.talks is not TalksState.PAUSED:
        return
    w.talks, w.talks_resumed, w.resume_due = TalksState.IN_SESSION, True, None
    w.round_scheduled_day = None
    w.round_end_due = model.day + action.payload
    model.milestone("talks_resume")
    model.record(action)


def _collapse(model, action: Action) -> None:
    w = model.world
    w.talks, w.talks_collapse_day = TalksState.COLLAPSED, model.day
    model.milestone("talks_collapse")
    model.record(action)


def _script_open(model) -> None:
    if model.world.talks is not TalksState.IN_SESSION:
        model.apply(Action("envoy_convene", OPEN.to_all("formally opens the talks"), "talks_open",
                           round_days(model.params_today)))


def _script_pause(model) -> None:
    if model.world.talks is TalksState.IN_SESSION:
        model.apply(pause(int(round(model.params_today["envoy_pause_days"])), "pauses the talks"))


def _script_resume(model) -> None:
    if model.world.talks is TalksState.PAUSED:
        model.apply(resume(model.params_today))


RULES = (
    Rule("envoy_convene", "ENVOY", Quantity.PROBABILITY, "daily probability of a meeting with a party", 2,
         (OPEN, MEET), ("envoy_meeting_prob",),
         "The envoy opens the talks and meets the attending parties",
         decide_convene, (Effect("talks_open", 17, _open),), {"talks_open": _script_open}),
    Rule("envoy_appeal", "ENVOY", Quantity.PROBABILITY, "daily probability of an appeal to the backers", 3,
         (APPEAL, URGE_CEASEFIRE, WARN),
         ("violence_window_days", "envoy_violence_level", "envoy_collapse_memory_days", "envoy_appeal_prob",
          "envoy_warning_prob"),
         "When violence is high, a party is absent or a ceasefire has just collapsed, the "
         "envoy appeals to the parties' backers for help and warns in public",
         decide_appeal),
    Rule("envoy_pause", "ENVOY", Quantity.PROBABILITY, "daily probability of pausing the talks", 2,
         (PAUSE, BLAME_RUSSIA, CLOSE_ROUND),
         ("envoy_pause_base", "envoy_pause_violence_gain", "violence_window_days", "envoy_pause_absence_gain",
          "talks_round_interval_days", "envoy_pause_days", "envoy_blame_prob"),
         "'I won't talk for the sake of talking': the envoy pauses the talks with a hazard "
         "rising with violence and a party's absence; a round closes at its planned end",
         decide_pause, (Effect("pause", 11, _pause), Effect("round_end", 35, _round_end)),
         {"talks_pause": _script_pause}),
    Rule("envoy_resume", "ENVOY", Quantity.PROBABILITY, "probability of announcing the resumption once the pause is over",
         1, (RESUME, SCHEDULE),
         ("violence_window_days", "envoy_resume_level", "talks_round_days", "envoy_notice_days",
          "talks_collapse_days"),
         "After the pause, once a ceasefire holds or violence has fallen, the envoy announces "
         "the talks resume some days later and resumes them if it is still calm; a pause that "
         "lasts too long is a collapse",
         decide_resume, (Effect("resume", 12, _resume), Effect("talks_collapse", 13, _collapse),
                         Effect("schedule_round", 36, _schedule_round),
                         Effect("postpone_round", 37, _postpone_round)),
         {"talks_resume": _script_resume}),
)  # fmt: skip
