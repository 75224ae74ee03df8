"""What every Snakemake job stands on: ``paths`` (every output path, named once), ``job_setup``
(logging, threads and engine of a job), ``config_check`` and ``config_memory`` (the config refused
before any job, with the key named), ``locks`` (the run lock and a killed run's leftovers),
``iofiles`` (atomic writes, pickle-free readers), ``table_digests`` (every table beside its
SHA-256 and its inputs') and ``provenance`` (code, packages, machine)."""
