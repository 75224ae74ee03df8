"""Where the pipeline writes, each path named once: the rules (workflow/rules/*.smk) build their
outputs from these names and the other rules read them back through ``rules.X.output``.

A per-run results file is a pattern with wildcards (``RUNS``); a job that trains a chunk of runs
stacked writes one file per member of its chunk, and its log and benchmark record are named after
the chunk (``job_stem``): ``depth_accuracy/depth{depth}/seeds0-4`` for the chunk of seeds 0-4,
``depth_accuracy/depth{depth}/seed3`` for a chunk of one, which is the run's own name.
"""

from dataclasses import dataclass

RESULTS = "results"
SUMMARY = "results/summary.json"
BEYOND_SUMMARY = "results/beyond_summary.json"
CAUSES_SUMMARY = "results/causes_summary.json"
WHY_DEEPER_SUMMARY = "results/why_deeper_summary.json"
R3_SELECTION = "results/beyond/r3/selected_eta.json"

# One results file per run: the experiment's folder, then the run's wildcards.
RUNS = {
    "depth_accuracy": "results/depth_accuracy/depth{depth}/seed{seed}.json",
    "initial_speed": "results/initial_speed/depth{depth}.json",
    "learning_speed": "results/learning_speed/depth{depth}/seed{seed}.json",
    "beyond_init": "results/beyond/r1/{activation}_{init}.json",
    "beyond_saturation": "results/beyond/r2/{activation}_{init}/seed{seed}.json",
    "beyond_select": "results/beyond/r3/select/{optimizer}/eta{eta}/seed{seed}.json",
    "beyond_optimizer": "results/beyond/r3/final/{optimizer}/seed{seed}.json",
    "beyond_table1": "results/beyond/r4/{activation}_{init}/seed{seed}.json",
    "causes": "results/causes/{experiment}.json",
    "why_deeper_budget": "results/why_deeper/budget/depth{depth}/seed{seed}.json",
    "why_deeper_large_init": "results/why_deeper/large_init/depth{depth}.json",
    "why_deeper_remedies": "results/why_deeper/remedies/{remedy}/depth{depth}/seed{seed}.json",
    "why_deeper_equalized": "results/why_deeper/equalized/{remedy}/depth{depth}/seed{seed}.json",
}


def table(name: str) -> str:
    return f"results/tables/{name}.csv"


def figure(name: str, ext: str) -> str:
    return f"results/figures/{name}.{ext}"


def stem(run: str) -> str:
    """A results file's name below results/, without .json: what its log and benchmark are named."""
    if not (run.startswith(f"{RESULTS}/") and run.endswith(".json")):
        raise ValueError(f"not a results file: {run!r}")
    return run[len(RESULTS) + 1 : -len(".json")]


def log(name: str) -> str:
    return f"logs/{name}.log"


def benchmark(name: str) -> str:
    return f"results/benchmarks/{name}.tsv"


@dataclass(frozen=True)
class Chunk:
    """The members (seeds, or R3's selection etas) that one job trains stacked."""

    axis: str  # the wildcard the members fill in: "seed" or "eta"
    members: tuple
    index: int  # its place among the chunks of the grid

    @property
    def span(self) -> str:
        """``seed3`` for a chunk of one, ``seeds0-4`` for more."""
        first, last = self.members[0], self.members[-1]
        return f"{self.axis}{first}" if len(self.members) == 1 else f"{self.axis}s{first}-{last}"

    @property
    def rule_suffix(self) -> str:
        """What the chunk's rule name ends with: ``seeds0_4`` (seeds), ``etas2`` (etas: no dots)."""
        if self.axis == "seed":
            return f"seeds{self.members[0]}_{self.members[-1]}"
        return f"{self.axis}s{self.index}"


def chunks(axis: str, members: list, size: int) -> list[Chunk]:
    """``members`` in order, cut into chunks of ``size`` (the last one may be shorter)."""
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, got {size}")
    return [Chunk(axis, tuple(members[i : i + size]), n) for n, i in enumerate(range(0, len(members), size))]


def member_file(run: str, axis: str, member) -> str:
    """The results file of one member: the run pattern with its ``{axis}`` filled in."""
    field = "{" + axis + "}"
    if field not in run:
        raise ValueError(f"{run!r} has no {field}")
    return run.replace(field, str(member))


def job_stem(run: str, chunk: Chunk) -> str:
    """The name of the job that trains ``chunk``: the run's stem with the folder or file part that
    holds ``{axis}`` replaced by the chunk's span."""
    field = "{" + chunk.axis + "}"
    parts = stem(run).split("/")
    holding = [i for i, part in enumerate(parts) if field in part]
    if len(holding) != 1:
        raise ValueError(f"{run!r} must hold {field} in exactly one part")
    parts[holding[0]] = chunk.span
    return "/".join(parts)
