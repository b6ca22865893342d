"""Cross-article deduplication: the same real-world act reported by several articles is one
calibration event that keeps every provenance row.

`events.csv` keeps one row per article mention (so that it can be scored article by article
and every row points at its sentence); the column `episode_key` links the rows that report the
same act. `events_dedup.csv` has one row per act: the best-dated report (precision 'day'
first, then the earliest publication), with `n_reports` and `provenance` (every
story_id:sentence_no:coder reporting it).

Two rows report the same act when they come from different articles, have the same source,
target (and, for OTHER, the same name) and CAMEO root, and their dates are at most 1 day apart
(3 days when either date is 'approx'), the tolerance of ../shared/tools/score_events.py.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

DEDUP_COLUMNS = ("episode_key", "n_reports", "provenance")


def _tolerance(a: str, b: str) -> int:
    return 3 if "approx" in (a, b) else 1


def assign_episodes(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the event table with an `episode_key` column (same key = same act)."""
    frame = frame.reset_index(drop=True).copy()
    n = len(frame)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    dates = [dt.date.fromisoformat(d) if d else None for d in frame["event_date"]]
    keys = list(
        zip(
            frame["source"],
            frame["target"],
            frame["cameo_root"],
            [t if s == "OTHER" else "" for s, t in zip(frame["source"], frame["source_text"])],
            [t if s == "OTHER" else "" for s, t in zip(frame["target"], frame["target_text"])],
        )
    )
    groups: dict[tuple, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    stories = list(frame["story_id"])
    precision = list(frame["date_precision"])
    for idx in groups.values():
        # single linkage on one axis: linking neighbours in date order is enough
        idx = sorted((i for i in idx if dates[i] is not None), key=lambda i: dates[i])
        for a, b in zip(idx, idx[1:]):
            if stories[a] == stories[b]:
                continue
            if (dates[b] - dates[a]).days <= _tolerance(precision[a], precision[b]):
                parent[find(a)] = find(b)
        # rows of one story are distinct acts: link each to its nearest other-story row
        for a_pos, a in enumerate(idx):
            for b in idx[a_pos + 1:]:
                if (dates[b] - dates[a]).days > 3:
                    break
                if stories[a] != stories[b] and (dates[b] - dates[a]).days <= _tolerance(precision[a], precision[b]):
                    parent[find(a)] = find(b)
                    break
    clusters: dict[int, list[int]] = {}
    for i in range(n):
        clusters.setdefault(find(i), []).append(i)
    episode = [""] * n
    for members in clusters.values():
        first = min(members, key=lambda i: (dates[i] or dt.date.max, i))
        r = frame.loc[first]
        key = f"{r['source']}-{r['target']}-{r['cameo_root']}-{r['event_date']}"
        if "OTHER" in (r["source"], r["target"]):
            name = r["source_text"] if r["source"] == "OTHER" else r["target_text"]
            key += "-" + "".join(ch if ch.isalnum() else "_" for ch in name)[:30]
        for i in members:
            episode[i] = key
    frame["episode_key"] = episode
    return frame


def deduplicated(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per act (episode_key), with `n_reports` and `provenance`."""
    if "episode_key" not in frame.columns:
        frame = assign_episodes(frame)
    rows = []
    for key, grp in frame.groupby("episode_key", sort=False):
        best = grp.assign(
            _p=(grp["date_precision"] != "day").astype(int), _pub=grp["pub_date"]
        ).sort_values(["_p", "_pub", "story_id", "sentence_no"]).iloc[0]
        row = best.drop(labels=["_p", "_pub"]).to_dict()
        row["n_reports"] = len(grp)
        row["provenance"] = ";".join(
            f"{s}:{n}:{c}" for s, n, c in zip(grp["story_id"], grp["sentence_no"], grp["coder"])
        )
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(frame.columns) + ["n_reports", "provenance"])
    return out.sort_values(["event_date", "source", "target", "cameo_code"], kind="stable").reset_index(drop=True)
