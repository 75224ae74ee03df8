"""Rule fetch_mnist: put the four SHA-256-verified MNIST IDX files in {DATA}/raw (see vanishing.mnist.data)."""

from pathlib import Path

from vanishing.mnist import data
from vanishing.pipeline import job_setup

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
job_setup.start(sm)
data.fetch_mnist(
    sm.params.sources,
    Path(sm.output.raw[0]).parent,
    checksums=sm.params.checksums,
    timeout=sm.params.timeout,
    manifest=sm.output.manifest,
    lock=sm.params.lock,
)
