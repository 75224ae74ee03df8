"""Why deep neural networks are hard to train: a reproducible study of Chapter 5 of
Michael Nielsen's *Neural Networks and Deep Learning*.

Packages:
    engine       the feedforward network in the book's notation, its training (SGD, momentum,
                 Nesterov), the stacked engine (several seeds as one computation), the study's nets,
                 the book's per-example algorithm (the reference) and the compiled fast path.
    mnist        MNIST acquisition (checksummed, bounded downloads), IDX parsing, the book's splits.
    chapter      the chapter's experiments E1-E5, the one-neuron chain, the published values
                 (``book``), the chapter's summary and figures.
    beyond       R1-R4: the papers' claims (Glorot & Bengio 2010, Sutskever et al. 2013) tested.
    causes       E6 and the chapter's causes, measured.
    publication  what the report quotes and how it is written, rendered and published.
    pipeline     what every Snakemake job stands on: paths, job setup, config checks, locks,
                 atomic files, table digests, provenance.
    reproduce    this run against a published one.
"""

__version__ = "0.1.0"
