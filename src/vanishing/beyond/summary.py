"""beyond_summary.json: the four experiments' numbers, the papers' published values, every claim
with its interval, minimal effect and verdict, and the rules that decided them.

The file is strict JSON (RFC 8259: no NaN or Infinity; ``iofiles.write_json`` refuses them). Where
a number can legitimately be non-finite it is written as null, with a fixed meaning:

    claims.*.interval       "bounded": false (fewer than two seeds in a group): lo, hi,
                            half_width, half_width_factor null for −inf/+inf
                            (``verdicts.interval_from_json`` reads them back); r1's
                            combinations.*_ratio_interval the same
    claims.*.detectable     null when the interval is unbounded (no effect was detectable);
                            else the effect detectable with 80 % power
    claims.*.p_value, .p_holm, .not_tested_because
                            null when the interval is unbounded / no precondition failed;
                            p_holm and verdict_per_claim only on tested claims
    claims.*.preconditions[].value
                            null when the value is not finite (the condition fails)
    r2.tanh_order*.crossing_update, .tau; r2.sigmoid_top_layer*.recovery_fraction
                            as r2.null_means says (never reached, undefined)
    r3.selection.*.selection_cost_by_eta
                            null = +inf: a selection seed diverged or was stuck at chance at
                            that η (``diverged_by_eta``, ``stuck_by_eta`` count them;
                            ``r3_optimizers.selection_costs`` reads them back)

Runs that diverged (weights or cost not finite) and runs stuck at chance (finite numbers, accuracy
at or below ``training.CHANCE_ACCURACY``) are counted apart (``diverged_seeds``, ``stuck_seeds``); the
diverged ones are left out of the means and intervals (they have no final numbers), the stuck ones
kept (their numbers are what the net did). In a diverged run's results file the non-finite
readings of its last record are null and ``test_accuracy`` is null.
"""

from __future__ import annotations

from . import r1_init, r2_saturation, r3_optimizers, r4_table1
from .training import CHANCE_ACCURACY
from .verdicts import LEVEL, RULES, apply_family

MINIMAL_EFFECTS = {
    "r1": {"flat_band": list(r1_init.FLAT_BAND), "shrink": r1_init.SHRINK_MINIMAL},
    "r2": {"drop": r2_saturation.DROP_MINIMAL, "early_fraction": r2_saturation.EARLY_FRACTION,
           "recovery_band": list(r2_saturation.RECOVERY_BAND), "order_tau": r2_saturation.ORDER_MINIMAL,
           "saturated": r2_saturation.SATURATED_MINIMAL, "saturated_above": r2_saturation.SATURATED_ABOVE},
    "r3": {"markedly": r3_optimizers.MARKEDLY, "higher_mu": r3_optimizers.HIGHER_MU_MINIMAL,
           "nesterov": r3_optimizers.NESTEROV_MINIMAL},
    "r4": {"sigmoid_points": r4_table1.SIGMOID_MINIMAL, "normalized_points": r4_table1.NORMALIZED_MINIMAL},
}


def summarize(tables, config, selection):
    """The whole summary from the four tables, the config's ``beyond`` section and R3's η selection."""
    out = {
        "r1": r1_init.summarize_init(tables["beyond_init"], config["init"]),
        "r2": r2_saturation.summarize_saturation(tables["beyond_saturation"], config["saturation"]),
        "r3": r3_optimizers.summarize_optimizers(tables["beyond_optimizers"], config["optimizers"], selection),
        "r4": r4_table1.summarize_table1(tables["beyond_table1"], config["table1"]),
    }
    out["family"] = apply_family(claim for r in ("r1", "r2", "r3", "r4") for claim in out[r]["claims"].values())
    out["verdicts"] = {f"{r}.{name}": claim["verdict"] for r in ("r1", "r2", "r3", "r4")
                       for name, claim in out[r]["claims"].items()}
    out["rules"] = {"level": LEVEL, "intervals": "Student t over seeds (Welch for two groups; on logarithms "
                                                 "for ratios)",
                    "outcomes": "supports: interval beyond the minimal effect; smaller than claimed: short of it; "
                                "contradicts: past no effect; cannot tell; not tested: a precondition failed",
                    "family": "Holm's step-down correction over the tested claims at 5 % family-wise",
                    "power": "detectable: the effect found beyond the minimal effect with 80 % power at this n and "
                             "the observed seed spread (non-central t)",
                    "minimal_effects": MINIMAL_EFFECTS, "chance_accuracy": CHANCE_ACCURACY, "functions": RULES}
    out["config"] = config
    return out
