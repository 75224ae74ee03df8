"""Rule prepare_mnist: verify the raw IDX files, then write the book's train/validation/test .npz
splits and the digest the training jobs check."""

from pathlib import Path

from vanishing.mnist import data
from vanishing.pipeline import job_setup

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
job_setup.start(sm)
data.prepare_mnist(
    Path(sm.input.raw[0]).parent,
    {split: sm.output[split] for split in data.SPLITS},
    checksums=sm.params.checksums,
    digest=sm.output.digest,
    lock=sm.params.lock,
)
