"""A throwaway single-node SLURM cluster for the integration tests (see cluster.py)."""
