"""The UN envoy's rules: convening, appeals to the backers, pausing and resuming the talks."""

from __future__ import annotations

from sim.model.rules.base import Effect, Emission, Quantity, Rule

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


RULES = (
    Rule("envoy_convene", "ENVOY", Quantity.PROBABILITY, "daily probability of a meeting with a party", 2,
         (OPEN, MEET), ("envoy_meeting_prob",),
         "The envoy opens the talks and meets the attending parties",
         "decide_envoy_convene", (Effect("talks_open", 17),), ("talks_open",)),
    Rule("envoy_appeal", "ENVOY", Quantity.PROBABILITY, "daily probability of an appeal to the backers", 3,
         (APPEAL, URGE_CEASEFIRE, WARN),
         ("violence_window_days", "envoy_violence_level", "envoy_collapse_memory_days", "envoy_appeal_prob",
          "envoy_warning_prob"),
         "When violence is high, a party is absent or a ceasefire has just collapsed, the "
         "envoy appeals to the parties' backers for help and warns in public",
         "decide_envoy_appeal"),
    Rule("envoy_pause", "ENVOY", Quantity.PROBABILITY, "daily probability of pausing the talks", 2,
         (PAUSE, BLAME_RUSSIA, CLOSE_ROUND),
         ("envoy_pause_base", "envoy_pause_violence_gain", "violence_window_days", "envoy_pause_absence_gain",
          "talks_round_interval_days", "envoy_pause_days", "envoy_blame_prob"),
         "'I won't talk for the sake of talking': the envoy pauses the talks with a hazard "
         "rising with violence and a party's absence; a round closes at its planned end",
         "decide_envoy_pause", (Effect("pause", 11), Effect("round_end", 35)),
         ("talks_pause",)),
    Rule("envoy_resume", "ENVOY", Quantity.PROBABILITY, "probability of announcing the resumption once the pause is over",
         1, (RESUME, SCHEDULE),
         ("violence_window_days", "envoy_resume_level", "talks_round_days", "envoy_notice_days",
          "talks_collapse_days"),
         "After the pause, once a ceasefire holds or violence has fallen, the envoy announces "
         "the talks resume some days later and resumes them if it is still calm; a pause that "
         "lasts too long is a collapse",
         "decide_envoy_resume", (Effect("resume", 12), Effect("talks_collapse", 13),
                         Effect("schedule_round", 36),
                         Effect("postpone_round", 37)),
         ("talks_resume",)),
)  # fmt: skip
