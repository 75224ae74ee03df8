"""Q3, the budget: do deeper nets catch up when trained longer? E1's runs of the deepest and the
shallowest depth of ``why_deeper.budget`` (four and two hidden layers by default) trained for its
epochs; the claim that the deeper net catches up, its final validation accuracy no more than
CATCH_UP points below the shallower one's (a bound on Welch's interval of the difference: supported
when the interval lies wholly above −CATCH_UP, contradicted when wholly below), after at least
MIN_SEEDS seeds per depth; the same difference at E1's last epoch (``e1_epochs``) beside it."""

from __future__ import annotations

import pandas as pd

from vanishing.beyond import verdicts as v
from vanishing.publication.wording import plural

CATCH_UP = 0.2  # points of validation accuracy, as in the chapter's E1 readings
MIN_SEEDS = 5


def difference_at(table, epoch, deeper, shallower):
    at = table[table["epoch"] == epoch]
    a, b = (at[at["hidden_layers"] == k]["validation_accuracy"] for k in (deeper, shallower))
    return v.difference_interval(a, b), int(len(a)), int(len(b))


def summarize_budget(table: pd.DataFrame, e1_epochs: int):
    depths = sorted(set(table["hidden_layers"].astype(int)))
    epochs = int(table["epoch"].max())
    out = {"epochs": epochs, "e1_epochs": int(e1_epochs), "catch_up": CATCH_UP, "min_seeds": MIN_SEEDS,
           "depths": depths, "claim": None}
    if len(depths) < 2:
        return out
    deeper, shallower = depths[-1], depths[0]
    final, na, nb = difference_at(table, epochs, deeper, shallower)
    at_e1, _, _ = difference_at(table, min(e1_epochs, epochs), deeper, shallower)
    out["claim"] = v.judge(
        f"trained for {epochs} epochs, {deeper} hidden layers catch up with {shallower} (at most "
        f"{CATCH_UP:g} points below)", source="this study", where="Q3", tested_as_stated=True, deviations=[],
        measure=f"final validation accuracy, {deeper} − {shallower} hidden layers (points)", interval=final,
        minimal=-CATCH_UP, side="above",
        preconditions=[v.precondition(f"seeds with {plural(k, 'hidden layer')}", n, MIN_SEEDS)
                       for k, n in ((deeper, na), (shallower, nb))],
        deeper=deeper, shallower=shallower)
    out["at_e1_epochs"] = v.interval_json(at_e1)
    out["best_epoch"] = {int(k): int(g.groupby("epoch")["validation_accuracy"].mean().idxmax())
                         for k, g in table.groupby("hidden_layers")}
    return out
