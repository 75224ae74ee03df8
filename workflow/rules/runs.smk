# Every job that computes runs, in one form. A row of JOBS names an experiment's runs (the results
# pattern of vanishing.pipeline.paths.RUNS and the grid of its wildcards, in the order its table reads them)
# and, for stacked training, the axis a job stacks: each job then trains one chunk of that axis's
# members as one stacked computation and writes one results file per member (`stack_seeds: 1`:
# chunks of one); without an axis, a job is one run. The loop at the end turns each row into its
# rules: <row> for a row without an axis, <row>_<chunk> for each chunk of one with an axis.
from dataclasses import dataclass, field

from vanishing.beyond import optimizer_names
from vanishing.why_deeper import remedies

OPTIMIZER = r"sgd|(momentum|nesterov)-0\.\d+"
REMEDY = "|".join(remedies.REMEDIES)


@dataclass
class Job:
    name: str  # the rule's name (before the chunk)
    script_name: (
        str  # in scripts/; train.py runs params.work, a key of its table TRAINING
    )
    section: object  # the config section of the runs, or a function of the wildcards
    run: str  # the results pattern of one run
    grid: dict  # wildcard -> values, in the order of the experiment's table
    axis: str = ""  # the wildcard a stacked job stacks
    size: int = 1  # members per stacked job
    work: str = ""
    mem_mb: int = 2000
    runtime: int = 30  # minutes per run
    constraints: dict = field(default_factory=dict)
    inputs: dict = field(default_factory=dict)

    def chunks(self):
        if not self.axis:
            return [None]
        return paths.chunks(self.axis, self.grid[self.axis], self.size)

    def rule_name(self, chunk):
        return f"{self.name}_{chunk.rule_suffix}" if chunk else self.name

    def outputs(self, chunk):
        if not chunk:
            return {"run": self.run}
        return {
            f"run{k}": paths.member_file(self.run, self.axis, member)
            for k, member in enumerate(chunk.members)
        }

    def stem(self, chunk):
        """What the job's log and benchmark record are named."""
        return paths.job_stem(self.run, chunk) if chunk else paths.stem(self.run)

    def runs(self):
        """Every results file of the experiment, in the order of its grid."""
        return expand(self.run, **self.grid)

    def benchmarks(self):
        """The benchmark record of every job."""
        others = {k: v for k, v in self.grid.items() if k != self.axis}
        return [
            f
            for chunk in self.chunks()
            for f in expand(paths.benchmark(self.stem(chunk)), **others)
        ]


BEYOND_STACK = BEYOND["stack_seeds"]  # members per job of R2, R3's two stages and R4
R3 = BEYOND["optimizers"]


def by_activation_init(name, work):
    """R2's or R4's stacked training: one beyond config section by activation x init x seed."""
    section = BEYOND[work]
    return Job(
        name=name,
        script_name="train.py",
        section=section,
        run=paths.RUNS[name],
        grid={
            "activation": section["activations"],
            "init": section["inits"],
            "seed": section["seeds"],
        },
        axis="seed",
        size=BEYOND_STACK[work],
        work=work,
        constraints={"activation": ACTIVATION, "init": INIT},
    )


JOBS = {
    job.name: job
    for job in [
        Job(
            name="train_depth_accuracy",
            script_name="train.py",
            section=E1,
            run=paths.RUNS["depth_accuracy"],
            grid={"depth": E1["hidden_layers"], "seed": E1["seeds"]},
            axis="seed",
            size=E1["stack_seeds"],
            work="depth_accuracy",
        ),
        Job(
            name="initial_speed",
            script_name="initial_speed.py",
            section=E2,
            run=paths.RUNS["initial_speed"],
            grid={"depth": E2["hidden_layers"]},
            mem_mb=1500,
            runtime=10,
        ),
        Job(
            name="train_learning_speed",
            script_name="train_learning_speed.py",
            section=E3,
            run=paths.RUNS["learning_speed"],
            grid={"depth": E3["hidden_layers"], "seed": E3["seeds"]},
            mem_mb=1500,
        ),
        Job(
            name="beyond_init",
            script_name="beyond_init.py",
            section=BEYOND["init"],
            run=paths.RUNS["beyond_init"],
            grid={
                "activation": BEYOND["init"]["activations"],
                "init": BEYOND["init"]["inits"],
            },
            mem_mb=1500,
            runtime=10,
            constraints={"activation": ACTIVATION, "init": INIT},
        ),
        by_activation_init("beyond_saturation", "saturation"),
        Job(
            name="beyond_optimizer_select",
            script_name="train.py",
            section=R3,
            run=paths.RUNS["beyond_select"],
            grid={
                "optimizer": optimizer_names(R3),
                "eta": R3["etas"],
                "seed": R3["select_seeds"],
            },
            axis="eta",
            size=BEYOND_STACK["selection"],
            work="selection",
            constraints={"optimizer": OPTIMIZER},
        ),
        Job(
            name="beyond_optimizer",
            script_name="train.py",
            section=R3,
            run=paths.RUNS["beyond_optimizer"],
            grid={"optimizer": optimizer_names(R3), "seed": R3["seeds"]},
            axis="seed",
            size=BEYOND_STACK["optimizers"],
            work="optimizers",
            constraints={"optimizer": OPTIMIZER},
            inputs={"selection": paths.R3_SELECTION},
        ),
        by_activation_init("beyond_table1", "table1"),
        Job(
            name="why_deeper_budget",
            script_name="train.py",
            section=BUDGET,
            run=paths.RUNS["why_deeper_budget"],
            grid={"depth": BUDGET["hidden_layers"], "seed": BUDGET["seeds"]},
            axis="seed",
            size=BUDGET["stack_seeds"],
            work="depth_accuracy",
            runtime=60,
        ),
        Job(
            name="why_deeper_large_init",
            script_name="initial_speed.py",
            section={**E2, "init": "large"},  # E2 with the book's N(0, 1) weights
            run=paths.RUNS["why_deeper_large_init"],
            grid={"depth": E2["hidden_layers"]},
            mem_mb=1500,
            runtime=10,
        ),
        Job(
            name="why_deeper_remedies",
            script_name="train.py",
            section=WHY_DEEPER["remedies"],
            run=paths.RUNS["why_deeper_remedies"],
            grid={
                "remedy": WHY_DEEPER["remedies"]["remedies"],
                "depth": WHY_DEEPER["remedies"]["hidden_layers"],
                "seed": WHY_DEEPER["remedies"]["seeds"],
            },
            axis="seed",
            size=WHY_DEEPER["remedies"]["stack_seeds"],
            work="remedies",
            constraints={"remedy": REMEDY},
        ),
        Job(
            name="why_deeper_equalized",
            script_name="train.py",
            section=WHY_DEEPER["equalized"],
            run=paths.RUNS["why_deeper_equalized"],
            grid={
                "remedy": WHY_DEEPER["equalized"]["remedies"],
                "depth": WHY_DEEPER["equalized"]["hidden_layers"],
                "seed": WHY_DEEPER["equalized"]["seeds"],
            },
            axis="seed",
            size=WHY_DEEPER["equalized"]["stack_seeds"],
            work="remedies",
            runtime=60,
            constraints={"remedy": REMEDY},
        ),
        Job(
            name="causes_run",
            script_name="causes_run.py",
            section=lambda wildcards: CAUSES[wildcards.experiment],
            run=paths.RUNS["causes"],
            grid={"experiment": list(CAUSES)},
            mem_mb=1500,
            runtime=20,
            constraints={"experiment": "|".join(CAUSES)},
        ),
    ]
}


for job in JOBS.values():
    for chunk in job.chunks():

        rule:
            name:
                job.rule_name(chunk)
            input:
                **split_inputs(),
                **job.inputs,
            output:
                **job.outputs(chunk),
            log:
                paths.log(job.stem(chunk)),
            benchmark:
                paths.benchmark(job.stem(chunk))
            wildcard_constraints:
                **job.constraints,
            conda:
                ENV
            threads: config["threads"]
            resources:
                mem_mb=job.mem_mb,
                runtime=job.runtime * (len(chunk.members) if chunk else 1),
            params:
                work=job.work,
                section=job.section,
                dtype=config["dtype"],
                engine=config["engine"],
                members=list(chunk.members) if chunk else [],
                script_name=job.script_name,  # the directive reads it at run time
            script:
                "../../scripts/{params.script_name}"
