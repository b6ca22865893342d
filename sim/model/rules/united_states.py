"""The United States' rules: criticism, calls to halt, the threat to suspend and the
suspension of the channel with Russia."""

from __future__ import annotations

from sim.model.rules.base import Effect, Emission, Quantity, Rule

CRITICISE = Emission("USA", ("RUS",), "112")
CALL_HALT = Emission("USA", ("RUS", "GOV"), "0256")
THREATEN = Emission("USA", ("RUS",), "134")
SUSPEND = Emission("USA", ("RUS",), "164")
SHELVE = Emission("USA", ("RUS",), "160")
PHONE_BY_US = Emission("USA", ("RUS",), "041")
PHONE_BY_RUS = Emission("RUS", ("USA",), "041")


RULES = (
    Rule("us_criticism", "USA", Quantity.PROBABILITY, "daily probability of a call to halt", 2,
         (CRITICISE, CALL_HALT),
         ("us_criticism_rate", "us_call_halt_prob", "violence_window_days", "us_call_halt_saturation"),
         "The US criticises Russian strikes and calls on the government and its supporters "
         "to halt the bombardment",
         "decide_us_criticism"),
    Rule("us_threat", "USA", Quantity.PROBABILITY, "daily probability of threatening to suspend", 1, (THREATEN,),
         ("us_threat_after_days", "us_threat_prob"),
         "After a ceasefire it brokered collapsed and heavy strikes went on, the US threatens "
         "to suspend the channel",
         "decide_us_threat", (Effect("us_threat", 14),)),
    Rule("us_suspend", "USA", Quantity.PROBABILITY, "daily probability of suspending the channel", 2,
         (SUSPEND, SHELVE, PHONE_BY_US, PHONE_BY_RUS),
         ("us_phone_prob", "us_suspend_delay", "us_suspend_prob"),
         "After the threat and a delay for talks, the US suspends the channel if strikes "
         "go on",
         "decide_us_suspend", (Effect("channel_suspend", 15),),
         ("channel_suspend", "channel_restore",)),
)  # fmt: skip
