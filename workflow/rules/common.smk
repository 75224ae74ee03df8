# Helpers shared by all workflow files (paths, target lists, figure outputs).

DATA = config["data"]["dir"]
RAW_FILES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]
SPLITS = ["train", "validation", "test"]
ENV = "../../envs/vanishing.yaml"

E1 = config["depth_accuracy"]
E2 = config["initial_speed"]
E3 = config["learning_speed"]


def data_targets():
    """The prepared splits: what every experiment reads."""
    return {"splits": expand(f"{DATA}/{{split}}.npz", split=SPLITS)}


def split_inputs():
    """Named inputs train/validation/test for the training rules."""
    return {split: f"{DATA}/{split}.npz" for split in SPLITS}


def runs(experiment, section):
    """Every depth x seed results file of a trained experiment."""
    return expand(
        f"results/{experiment}/depth{{depth}}/seed{{seed}}.json",
        depth=section["hidden_layers"],
        seed=section["seeds"],
    )


def chapter_tables():
    names = [
        "depth_accuracy",
        "initial_speed",
        "learning_speed",
        "chain",
        "window",
        "sigma_prime",
    ]
    return {name: f"results/tables/{name}.csv" for name in names}


def chapter_figures():
    names = ["depth_accuracy", "initial_speed_bars", "initial_speed", "chain", "window"]
    names += [f"learning_speed_depth{k}" for k in E3["hidden_layers"]]
    return expand("results/figures/{name}.{ext}", name=names, ext=["png", "svg"])


def figure_outputs(name, caption, category="Chapter 5"):
    """Named png/svg outputs; the PNG is flagged for `snakemake --report` with its caption."""
    return {
        "png": report(
            f"results/figures/{name}.png",
            caption=f"../report/{caption}.rst",
            category=category,
        ),
        "svg": f"results/figures/{name}.svg",
    }
