"""A sensitivity study's sample as its manifest describes it: SALib's problem, and its factors
(the parameters, or the groups they are varied in). Shared by the design (sim.experiments) and
the analysis (sim.reporting), which read the same description."""

from __future__ import annotations

from collections.abc import Sequence


def sample_problem(names: Sequence[str], bounds: Sequence[Sequence[float]],
                   groups: Sequence[str] | None = None) -> dict:
    """SALib's problem definition of a sample (with its groups when it has them)."""
    problem = {"num_vars": len(names), "names": list(names), "bounds": [list(b) for b in bounds]}
    return {**problem, "groups": list(groups)} if groups else problem


def factors(names: Sequence[str], groups: Sequence[str] | None = None) -> list[str]:
    """What the indices are of, in order: the parameters, or the groups."""
    return list(dict.fromkeys(groups or names))


def grouped_factors(groups: Sequence[str] | None) -> dict[str, int]:
    """The groups of more than one parameter, with their sizes, in order."""
    sizes = {g: list(groups).count(g) for g in factors((), groups)} if groups else {}
    return {g: k for g, k in sizes.items() if k > 1}
