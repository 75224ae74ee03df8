"""MNIST: ``data`` (checksummed acquisition from the configured sources, IDX parsing, the book's
splits) and ``bounded_io`` (downloads with a deadline, decompression with a size cap, child
processes that die with their parent)."""
