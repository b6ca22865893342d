"""A posterior study's prior companion, found in the store: the same design under the priors alone.

    from sim.results.companion import prior_companion
    prior_companion(study)      # results/<study>_prior when stored, complete and of the same design, else None

`sim.experiments.prior_predictive.run_prior_companion` runs one; this module only finds it, so
the reporting layer can show it without running anything.
"""

from __future__ import annotations

from pathlib import Path

from sim.results.store import Study, load_study

#: The companion of study NAME is NAME + this.
COMPANION_SUFFIX = "_prior"
#: Design keys the companion shares with its study.
SHARED_DESIGN = ("scenarios", "replicates", "seed", "days", "task_size")


def companion_name(name: str) -> str:
    """The prior companion's study name."""
    return name + COMPANION_SUFFIX


def prior_companion(study: Study) -> Study | None:
    """The stored prior companion of a study, when it is complete and of the same design and
    scenario files; else None."""
    design = study.manifest.get("design", {})
    folder = Path(study.path).parent / companion_name(str(design.get("name")))
    if not (folder / "manifest.json").is_file():
        return None
    companion = load_study(folder)
    other = companion.manifest
    same = (other.get("status") == "complete"
            and all(other.get("design", {}).get(k) == design.get(k) for k in SHARED_DESIGN)
            and other.get("identity", {}).get("scenario_files") == study.manifest.get("identity", {}).get(
                "scenario_files"))  # fmt: skip
    return companion if same else None
