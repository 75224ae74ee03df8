"""beyond_summary.json: the four experiments' numbers, the papers' published values, every claim
with its interval, minimal effect and verdict, and the rules that decided them."""

from __future__ import annotations

from . import r1_init, r2_saturation, r3_optimizers, r4_table1
from .runs import CHANCE_ACCURACY
from .verdicts import LEVEL, RULES

MINIMAL_EFFECTS = {
    "r1": {"flat_band": list(r1_init.FLAT_BAND), "shrink": r1_init.SHRINK_MINIMAL},
    "r2": {"drop": r2_saturation.DROP_MINIMAL, "early_fraction": r2_saturation.EARLY_FRACTION,
           "recovery_band": list(r2_saturation.RECOVERY_BAND), "order_tau": r2_saturation.ORDER_MINIMAL,
           "pinned": r2_saturation.PINNED_MINIMAL},
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
    out["verdicts"] = {f"{r}.{name}": claim["verdict"] for r in ("r1", "r2", "r3", "r4")
                       for name, claim in out[r]["claims"].items()}
    out["rules"] = {"level": LEVEL, "intervals": "Student t over seeds (Welch for two groups; on logarithms "
                                                 "for ratios)",
                    "minimal_effects": MINIMAL_EFFECTS, "chance_accuracy": CHANCE_ACCURACY, "functions": RULES}
    out["config"] = config
    return out
