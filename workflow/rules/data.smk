# MNIST: fetch the four IDX files (checksummed, from the first source that works), then the splits.
# The data folder may be shared by several clones: both steps hold its lock file while they write
# and keep what another run finished meanwhile, so their outputs are update()d, never removed
# before the job starts.
from vanishing.mnist.data import lock_path


localrules:
    fetch_mnist,


rule fetch_mnist:
    """Fetch MNIST from the first of config data.sources whose files match data.checksums."""
    output:
        raw=update(raw_files()),
        manifest=update(f"{DATA}/raw/source.json"),
    log:
        "logs/data/fetch_mnist.log",
    conda:
        ENV
    params:
        sources=config["data"]["sources"],
        timeout=config["data"]["timeout"],
        checksums=config["data"]["checksums"],
        lock=lock_path(DATA),
    script:
        "../../scripts/fetch_mnist.py"


rule prepare_mnist:
    """The book's splits: train = first 50,000, validation = last 10,000, test = 10,000. The raw
    files are checked against data.checksums first; the digest records the splits' SHA-256,
    which every training job checks when it loads a split (vanishing.mnist.data.load_split).
    """
    input:
        raw=raw_files(),
    output:
        train=update(f"{DATA}/train.npz"),
        validation=update(f"{DATA}/validation.npz"),
        test=update(f"{DATA}/test.npz"),
        digest=update(f"{DATA}/splits.sha256.json"),
    log:
        "logs/data/prepare_mnist.log",
    conda:
        ENV
    params:
        checksums=config["data"]["checksums"],
        lock=lock_path(DATA),
    script:
        "../../scripts/prepare_mnist.py"
