"""The compiled engine beside the numpy one: ``kernels`` (the steps, compiled with numba) and
``steps`` (where it applies, and its side of the training loop)."""
