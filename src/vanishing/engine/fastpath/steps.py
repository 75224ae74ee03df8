"""Which engine trains a run, and the compiled one's side of the training loop.

``train.train`` and ``stacked.train_stacked`` drive an epoch as runs of updates between two
monitor records. The numpy engine (``train.ReferenceSteps``) runs them one mini-batch at a time;
``FastSteps`` runs them in one compiled call (``kernels.run_steps``) on its own flat copy of the
parameters and writes them back into the ``Network`` before anything reads it, so the monitors,
the divergence check and the results are the numpy engine's code, unchanged.

engine   "reference": always the numpy engine.
         "fast": the compiled engine wherever it applies: float64 networks (every activation of
         ``kernels.HIDDEN``, cost, initializer and optimizer, single seeds and stacks). float32 runs,
         nets the kernels do not implement (``compiles``: other activations, skip connections), per-layer
         learning rates, full-batch gradient descent (E3) and everything that is not training (E2, the
         monitors) stay on numpy.
         "auto" (the config's default): "fast" where the images light at most ``AUTO_MAX_LIT`` of their
         pixels, where it was measured faster (``benchmarks/epoch_speed.py``); else numpy.
"""

from __future__ import annotations

import numpy as np

ENGINES = ("auto", "fast", "reference")
# auto takes the compiled engine when the images light at most this fraction of their pixels: its
# epoch grows with the lit pixels (MNIST, 19 %: 1.3-2.1x faster than numpy; random images, 100 %: 2.1x
# slower, benchmarks/epoch_speed.py and the README), the numpy engine's does not
AUTO_MAX_LIT = 0.4
# The engine of ``train`` and ``train_stacked`` calls that name none: a job sets it from the config
# (``use``); the library's own default is the numpy engine.
_default = "reference"


def check_engine(engine):
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    return engine


def use(engine):
    """Make ``engine`` the one of every training call in this process that names none."""
    global _default
    _default = check_engine(engine)


def resolve(engine):
    """The engine a training call takes: its own, or the process's (``use``) for None."""
    return _default if engine is None else check_engine(engine)


def _kernels():
    from . import kernels  # numba is imported only where the compiled engine runs

    return kernels


class LitPixels:
    """The training images as each one's lit (non-zero) pixels: CSR rows, built once per job."""

    def __init__(self, x):
        x = np.asarray(x, dtype=np.float64)
        self.indptr, self.indices, self.values = _kernels().csr_rows(x)
        self.shape = x.shape

    @property
    def lit_fraction(self):
        return len(self.values) / max(1, self.shape[0] * self.shape[1])


def applies(engine, dtype, x):
    """Whether ``engine`` trains float arrays of ``dtype`` on images x with the compiled engine."""
    if check_engine(engine) == "reference" or np.dtype(dtype) != np.float64:
        return False
    if engine == "fast":
        return True
    return np.count_nonzero(x) <= AUTO_MAX_LIT * np.size(x)


class FastSteps:
    """The updates of one network's epochs in compiled code; see the module docstring.

    net        the Network (float64); its parameters are read now and written back by ``sync``
    lit        LitPixels of the training images (shared by the replicas of a stack)
    labels     integer labels (n,)
    eta        this net's learning rate; lmbda, optimizer (train.Optimizer) as in ``train``
    """

    def __init__(self, net, lit, labels, *, mini_batch_size, eta, lmbda, optimizer):
        kernels = self.kernels = _kernels()
        if net.dtype != np.float64:
            raise ValueError(f"the compiled engine trains float64 networks, not {net.dtype}")
        labels = np.ascontiguousarray(labels, dtype=np.int64)
        if len(labels) != lit.shape[0] or (len(labels) and not 0 <= labels.min() <= labels.max() < net.sizes[-1]):
            raise ValueError(f"need {lit.shape[0]} labels in [0, {net.sizes[-1]}), got {len(labels)}")
        self.net, self.lit, self.labels = net, lit, labels
        self.mb = int(mini_batch_size)
        self.batches = -(-lit.shape[0] // self.mb)
        n = lit.shape[0]
        self.eta = float(eta)
        self.optimizer = optimizer
        self.kind = {"sgd": kernels.SGD, "momentum": kernels.MOMENTUM, "nesterov": kernels.NESTEROV}[optimizer.kind]
        self.decay = 1.0 - self.eta * (lmbda / n)  # train.sgd_step's factor
        self.wdecay = float(self.eta * (lmbda / n)) if lmbda else 0.0  # train.momentum_step's
        self.scaled = self.kind == kernels.SGD and self.decay != 1.0
        self.sizes = np.array(net.sizes, dtype=np.int64)
        self.w1 = np.ascontiguousarray(net.weights[0].T, dtype=np.float64)
        rest = [w.T.ravel() for w in net.weights[1:]]
        self.woff = np.concatenate([[0, 0], np.cumsum([w.size for w in rest])]).astype(np.int64)
        self.boff = np.concatenate([[0], np.cumsum([b.size for b in net.biases])]).astype(np.int64)
        self.w = np.concatenate(rest) if rest else np.zeros(0)
        self.b = np.concatenate(net.biases).astype(np.float64)
        momentum = self.kind != kernels.SGD
        self.v1 = np.zeros_like(self.w1) if momentum else np.zeros((0, self.w1.shape[1]))
        self.vw = np.zeros_like(self.w) if momentum else np.zeros(0)
        self.vb = np.zeros_like(self.b) if momentum else np.zeros(0)
        self.g1 = np.zeros_like(self.w1) if momentum else np.zeros((0, self.w1.shape[1]))
        self.gw, self.gb = np.zeros_like(self.w), np.zeros_like(self.b)
        self.c = np.ones(1)
        widest = max(net.sizes[1:])
        self.a1, self.d1 = np.zeros((self.mb, net.sizes[1])), np.zeros((self.mb, net.sizes[1]))
        self.act = np.zeros(self.mb * sum(net.sizes[2:]))
        self.dcur, self.dprev = np.zeros(self.mb * widest), np.zeros(self.mb * widest)
        self.codes = (kernels.HIDDEN[net.activation.name], kernels.OUTPUT[net.output_layer.name],
                      kernels.COST[net.cost.name])
        self.t = 0  # updates so far (μ's schedule)
        self.order = None

    def start_epoch(self, order):
        self.order = np.ascontiguousarray(order, dtype=np.int64)

    def run(self, first, stop):
        """Updates ``first`` .. ``stop`` − 1 (0-based) of the epoch started last."""
        if stop <= first:
            return
        kernels = self.kernels
        if self.kind == kernels.SGD:
            mus = np.zeros(0)
        else:
            mus = np.array([self.optimizer.mu(self.t + j) for j in range(stop - first)], dtype=np.float64)
        lit = self.lit
        kernels.run_steps(self.sizes, self.w1, self.v1, self.g1, self.woff, self.w, self.vw, self.gw, self.boff,
                          self.b, self.vb, self.gb, self.c, lit.indptr, lit.indices, lit.values, self.labels,
                          self.order, self.mb, first, stop, self.eta, self.decay, self.wdecay, mus, self.kind,
                          *self.codes, self.a1, self.act, self.dcur, self.dprev, self.d1, self.scaled)
        self.t += stop - first

    def sync(self):
        """Write the parameters into the net's own arrays (in place), leaving the state as it is."""
        weights = self.net.weights
        weights[0][...] = self.w1.T
        if self.c[0] != 1.0:
            weights[0] *= self.c[0]
        for i, w in enumerate(weights[1:], start=1):
            w[...] = self.w[self.woff[i]:self.woff[i + 1]].reshape(w.shape[1], w.shape[0]).T
        for i, b in enumerate(self.net.biases):
            b[...] = self.b[self.boff[i]:self.boff[i + 1]]

    def end_epoch(self):
        """Fold the first layer's scale into its weights (every epoch: c never underflows) and sync."""
        self.kernels.settle(self.w1, self.c)
        self.sync()


def compiles(net):
    """Whether the compiled kernels implement ``net``: a hidden activation they have (``kernels.HIDDEN``)
    and no skip connections (``Network.residual``). Other nets train on numpy, with either engine."""
    return not net.residual and net.activation.name in _kernels().HIDDEN


def fast_steps(engine, nets, x, labels, *, mini_batch_size, etas, lmbda, optimizer):
    """One FastSteps per net (sharing one LitPixels of x) when ``engine`` takes the compiled engine
    for them (``applies`` and ``compiles``), else None."""
    if not applies(resolve(engine), nets[0].dtype, x) or not compiles(nets[0]):
        return None
    lit = LitPixels(x)
    return [FastSteps(net, lit, labels, mini_batch_size=mini_batch_size, eta=eta, lmbda=lmbda, optimizer=optimizer)
            for net, eta in zip(nets, etas)]
