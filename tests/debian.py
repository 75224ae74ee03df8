"""Install Debian packages a test needs (as root, with apt-get), so that the README's test
command alone suffices on a fresh machine: the browser test needs ``chromium`` and
``poppler-utils``, the cluster test SLURM's packages."""

import os
import shutil
import subprocess

APT_TIMEOUT_S = 900


def missing(binaries):
    return [b for b in binaries if not (shutil.which(b) or shutil.which(b, path="/usr/sbin:/sbin"))]


def cannot_install_reason(binaries):
    """Why the binaries can't be had here (None when present or installable)."""
    if not missing(binaries):
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return f"{', '.join(missing(binaries))} missing, and installing needs root and apt-get"
    return None


def ensure(packages, binaries):
    """apt-get install ``packages`` unless every one of ``binaries`` is already on PATH; an
    `apt-get update` and one retry follow a failed install. Raises RuntimeError on failure."""
    if not missing(binaries):
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", *packages]
    run = lambda cmd: subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_S)  # noqa: E731
    if run(install).returncode != 0:
        run(["apt-get", "update"])
        retry = run(install)
        if retry.returncode != 0:
            raise RuntimeError(f"apt-get install {' '.join(packages)} failed:\n{retry.stdout}\n{retry.stderr}")
    if missing(binaries):
        raise RuntimeError(f"still missing after apt-get install {' '.join(packages)}: {missing(binaries)}")
