# MNIST: fetch the four IDX files (checksummed, from the first source that works), then the splits.


localrules:
    fetch_mnist,


rule fetch_mnist:
    """Fetch MNIST from the first of config data.sources whose files match data.checksums."""
    output:
        raw=expand(f"{DATA}/raw/{{name}}", name=RAW_FILES),
        manifest=f"{DATA}/raw/source.json",
    log:
        "logs/data/fetch_mnist.log",
    conda:
        "../../envs/vanishing.yaml"
    params:
        sources=config["data"]["sources"],
        timeout=config["data"]["timeout"],
        checksums=config["data"]["checksums"],
    script:
        "../../scripts/fetch_mnist.py"


rule prepare_mnist:
    """The book's splits: train = first 50,000, validation = last 10,000, test = 10,000. The raw
    files are checked against data.checksums first; the digest records the splits' SHA-256,
    which every training job checks when it loads a split (vanishing.data.load_split).
    """
    input:
        raw=expand(f"{DATA}/raw/{{name}}", name=RAW_FILES),
    output:
        train=f"{DATA}/train.npz",
        validation=f"{DATA}/validation.npz",
        test=f"{DATA}/test.npz",
        digest=f"{DATA}/splits.sha256.json",
    log:
        "logs/data/prepare_mnist.log",
    conda:
        "../../envs/vanishing.yaml"
    params:
        checksums=config["data"]["checksums"],
    script:
        "../../scripts/prepare_mnist.py"
