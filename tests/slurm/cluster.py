"""A throwaway single-node SLURM cluster on localhost for the integration tests.

``slurm_cluster()`` is a context manager. It:

1. installs Debian's ``munge slurmctld slurmd slurm-client`` if they are missing,
2. starts ``munged`` (with its own key and socket), ``slurmctld`` and ``slurmd`` from a
   temporary folder, with partition ``debug`` covering the one node ``localhost``,
3. points ``/etc/slurm/slurm.conf`` at the generated config, because the plugin's job step
   drops ``SLURM_CONF`` before its inner ``srun``,
4. on exit cancels the remaining jobs, stops each daemon by the PID in its pid file
   (SIGTERM, then SIGKILL), checks that each one is gone, restores
   ``/etc/slurm/slurm.conf`` and deletes the folder.

``run_snakemake_slurm()`` runs Snakemake through the cluster with the user profile
``profiles/slurm`` plus the test overrides in ``tests/slurm/profile``. ``Cluster.jobs()``
returns what SLURM itself recorded about each job.

Needs root (the daemons and /etc/slurm) and ``apt-get``. ``unavailable_reason()`` says
when the test can't run here. Only one cluster can run per machine: the ports
(6817/6818) and /etc/slurm/slurm.conf are shared, so a lock file makes a second pytest
session wait its turn.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

REPO = Path(__file__).resolve().parents[2]
USER_PROFILE = REPO / "profiles" / "slurm"
TEST_PROFILE = Path(__file__).resolve().parent / "profile"

PACKAGES = ("munge", "slurmctld", "slurmd", "slurm-client")
REQUIRED_BINARIES = (
    "munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "scancel",
)  # fmt: skip
PARTITION = "debug"
NODE = "localhost"
PORTS = (6817, 6818)  # slurmctld, slurmd (SLURM's defaults)
MIN_JOB_AGE_S = 600  # finished jobs stay visible to squeue/scontrol this long
ETC_SLURM_CONF = Path("/etc/slurm/slurm.conf")
ETC_BACKUP = ETC_SLURM_CONF.with_name("slurm.conf.vanishing-test-backup")
LOCK_FILE = Path(tempfile.gettempdir()) / "vanishing-slurm.lock"
ROOT_PREFIX = "vanishing-slurm-cluster-"  # the temporary folder's name starts with this

START_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10
LOCK_TIMEOUT_S = 1800


# --------------------------------------------------------------------------- availability


def unavailable_reason() -> str | None:
    """Why the cluster cannot be started in this process, or None if it can."""
    if os.geteuid() != 0:
        return "the SLURM test cluster needs root (it starts munged/slurmctld/slurmd and writes /etc/slurm)"
    if shutil.which("apt-get") is None and missing_binaries():
        return "SLURM is not installed and apt-get is not available to install it"
    return None


def missing_binaries() -> list[str]:
    """The SLURM/munge programs not found on PATH (or in /usr/sbin)."""
    return [b for b in REQUIRED_BINARIES if _which(b) is None]


def _which(name: str) -> str | None:
    """shutil.which that also looks in the sbin folders, which root's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin:/usr/local/sbin")


def ensure_packages() -> None:
    """Install the Debian SLURM packages if a program is missing (apt-get update on failure)."""
    import debian  # tests/debian.py, shared with the browser test

    debian.ensure(PACKAGES, REQUIRED_BINARIES)


# --------------------------------------------------------------------------- job records


@dataclass(frozen=True)
class SlurmJob:
    """One job as slurmctld recorded it (from ``scontrol show job -o``)."""

    job_id: int
    name: str  # the plugin uses the Snakemake run's UUID as job name
    comment: str  # the plugin writes "rule_<rule>" or "rule_<rule>_wildcards_<wildcards>"
    state: str  # COMPLETED, FAILED, RUNNING, PENDING, CANCELLED, ...
    exit_code: int  # the batch script's exit status
    signal: int  # the signal that ended it, 0 if none
    workdir: str
    partition: str = ""
    cpus_per_task: int = 0
    mem_mb: int = 0  # MinMemoryNode (sbatch --mem), in MB; 0 if not recorded
    time_limit_min: int = 0  # TimeLimit (sbatch -t), in minutes; 0 if unlimited or not recorded

    @property
    def rule(self) -> str:
        """The Snakemake rule, read from the plugin's comment."""
        rule = self.comment.removeprefix("rule_")
        return rule.split("_wildcards_", 1)[0]

    @property
    def wildcards(self) -> str:
        """The job's wildcard values joined by '_' (e.g. "2_0"), read from the plugin's comment.

        The plugin names the job's log folder the same way:
        ``.snakemake/slurm_logs/rule_<rule>/<wildcards>/<jobid>.log``.
        """
        return self.comment.partition("_wildcards_")[2]


_KEY = re.compile(r"(?:^|\s)([A-Za-z][\w:/.-]*)=")


def parse_scontrol_record(line: str) -> dict[str, str]:
    """Split one ``scontrol show job -o`` line into its Key=Value fields.

    Values may contain spaces and '=' (e.g. ``TRES=cpu=1,mem=200M``), so a new field starts
    only where whitespace is followed by ``Key=``.
    """
    matches = list(_KEY.finditer(line))
    fields = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        fields[match.group(1)] = line[match.end() : end].strip()
    return fields


def parse_memory_mb(value: str) -> int:
    """A SLURM memory size such as "2000M" or "2G" in MB (0 if empty or unparsable)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", value.strip())
    if not match:
        return 0
    factor = {"K": 1 / 1024, "": 1, "M": 1, "G": 1024, "T": 1024 * 1024}[match.group(2)]
    return round(float(match.group(1)) * factor)


def parse_time_limit_min(value: str) -> int:
    """A SLURM time limit ("[days-]hours:minutes:seconds", "minutes:seconds") in whole minutes.

    0 for "UNLIMITED", "Partition_Limit", empty or unparsable values.
    """
    days, _, clock = value.strip().rpartition("-")
    parts = clock.split(":")
    if not all(p.isdigit() for p in parts) or not 1 <= len(parts) <= 3 or (days and not days.isdigit()):
        return 0
    seconds = 0
    for part in parts if len(parts) > 1 else [parts[0], "0"]:  # a single number means minutes
        seconds = seconds * 60 + int(part)
    return (int(days or 0) * 86400 + seconds) // 60


def parse_scontrol_jobs(text: str) -> list[SlurmJob]:
    """Parse the output of ``scontrol show job -o`` (one job per line) into SlurmJobs."""
    jobs = []
    for line in text.splitlines():
        if not line.startswith("JobId="):
            continue  # e.g. "No jobs in the system"
        f = parse_scontrol_record(line)
        code, _, sig = f.get("ExitCode", "0:0").partition(":")
        comment = f.get("Comment", "")
        jobs.append(
            SlurmJob(
                job_id=int(f["JobId"]),
                name=f.get("JobName", ""),
                comment="" if comment == "(null)" else comment,
                state=f.get("JobState", ""),
                exit_code=int(code or 0),
                signal=int(sig or 0),
                workdir=f.get("WorkDir", ""),
                partition=f.get("Partition", ""),
                cpus_per_task=int(cpus) if (cpus := f.get("CPUs/Task", "")).isdigit() else 0,
                mem_mb=parse_memory_mb(f.get("MinMemoryNode", "")),
                time_limit_min=parse_time_limit_min(f.get("TimeLimit", "")),
            )
        )
    return sorted(jobs, key=lambda j: j.job_id)


def list_jobs(workdir: str | os.PathLike | None = None, env: dict | None = None) -> list[SlurmJob]:
    """Every job slurmctld still knows, finished ones included, optionally only those run in workdir.

    ``squeue`` has no exit codes, and ``sacct`` needs slurmdbd, so this reads
    ``scontrol show job -o``. It lists finished jobs for MinJobAge (600 s here) seconds
    after they end. The plugin runs every job with ``-D <workdir>``, so a workdir picks
    out one Snakemake run.
    """
    out = subprocess.run(
        ["scontrol", "show", "job", "-o"], env=env, capture_output=True, text=True, timeout=30, check=True
    ).stdout
    jobs = parse_scontrol_jobs(out)
    if workdir is not None:
        wanted = Path(workdir).resolve()
        jobs = [j for j in jobs if j.workdir and Path(j.workdir).resolve() == wanted]
    return jobs


def format_jobs(jobs: Sequence[SlurmJob]) -> str:
    """A small table of jobs, for logs and assertion messages."""
    rows = [f"{'JOBID':>5}  {'RULE':<22} {'WILDCARDS':<10} {'STATE':<10} EXIT  CPUS  MEM_MB  MINUTES"]
    for j in jobs:
        exit_status = f"{j.exit_code}:{j.signal}"
        rows.append(
            f"{j.job_id:>5}  {j.rule:<22} {j.wildcards or '-':<10} {j.state:<10} {exit_status:<5} "
            f"{j.cpus_per_task:>4}  {j.mem_mb:>6}  {j.time_limit_min:>7}"
        )
    return "\n".join(rows)


# --------------------------------------------------------------------------- the cluster


@dataclass
class Cluster:
    """A running test cluster: its folder, config, environment and daemon pid files."""

    root: Path
    conf: Path
    munge_socket: Path

    @property
    def pid_files(self) -> dict[str, Path]:
        """Daemon name -> pid file, in start order."""
        return pid_files(self.root)

    @property
    def env(self) -> dict[str, str]:
        """os.environ with SLURM_CONF pointing at this cluster's slurm.conf."""
        return {**os.environ, "SLURM_CONF": str(self.conf)}

    def jobs(self, workdir: str | os.PathLike | None = None) -> list[SlurmJob]:
        """This cluster's jobs (see list_jobs)."""
        return list_jobs(workdir, env=self.env)

    def log_tails(self, lines: int = 15) -> str:
        """The end of each daemon log, for error messages."""
        parts = []
        for log in sorted(self.root.glob("**/*.log")):
            text = log.read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(text))
        return "\n".join(parts)


def pid_files(root: Path) -> dict[str, Path]:
    """Where the daemons of the cluster in folder root write their PIDs, in start order."""
    return {
        "munged": root / "munge" / "munged.pid",
        "slurmctld": root / "run" / "slurmctld.pid",
        "slurmd": root / "run" / "slurmd.pid",
    }


def _port_in_use(port: int) -> bool:
    """True if something already listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _total_memory_mb() -> int:
    """MemTotal from /proc/meminfo, in MB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no MemTotal in /proc/meminfo")


def _make_folders(root: Path) -> None:
    """Create the cluster's folders. munged insists that the socket's folders be 0755."""
    root.chmod(0o755)
    for sub in ("munge", "state", "spool", "log", "run"):
        (root / sub).mkdir(mode=0o755)


def _write_munge_key(path: Path) -> None:
    """1024 random bytes, readable by root only (munged refuses a looser key)."""
    path.write_bytes(os.urandom(1024))
    path.chmod(0o400)


def write_slurm_conf(root: Path, munge_socket: Path) -> Path:
    """Write slurm.conf for one node (all CPUs, all memory but 512 MB) in partition 'debug'."""
    memory = max(_total_memory_mb() - 512, 1024)
    conf = root / "slurm.conf"
    conf.write_text(
        "\n".join(
            [
                "ClusterName=vanishingtest",
                f"SlurmctldHost={NODE}",
                "SlurmUser=root",
                "AuthType=auth/munge",
                f"AuthInfo=socket={munge_socket}",
                f"StateSaveLocation={root / 'state'}",
                f"SlurmdSpoolDir={root / 'spool'}",
                f"SlurmctldPidFile={root / 'run' / 'slurmctld.pid'}",
                f"SlurmdPidFile={root / 'run' / 'slurmd.pid'}",
                f"SlurmctldLogFile={root / 'log' / 'slurmctld.log'}",
                f"SlurmdLogFile={root / 'log' / 'slurmd.log'}",
                "ProctrackType=proctrack/linuxproc",
                "TaskPlugin=task/none",
                "JobAcctGatherType=jobacct_gather/none",
                "AccountingStorageType=accounting_storage/none",
                "SelectType=select/cons_tres",
                "SelectTypeParameters=CR_Core_Memory",
                "DefMemPerCPU=500",
                f"MinJobAge={MIN_JOB_AGE_S}",
                "KillWait=5",
                "ReturnToService=2",
                f"NodeName={NODE} NodeAddr=127.0.0.1 CPUs={os.cpu_count()} RealMemory={memory} State=UNKNOWN",
                f"PartitionName={PARTITION} Nodes={NODE} Default=YES MaxTime=INFINITE State=UP",
                "",
            ]
        )
    )
    return conf


def _run_daemon(cmd: list[str], env: dict, cluster: Cluster) -> None:
    """Start a self-daemonizing program; raise with the logs if it fails to start."""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=START_TIMEOUT_S)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}\n{cluster.log_tails()}"
        )


def _wait_for(predicate, what: str, cluster: Cluster, timeout_s: float = START_TIMEOUT_S) -> None:
    """Poll predicate() every 0.2 s until it is true; raise with the logs after timeout_s."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout_s} s waiting for {what}\n{cluster.log_tails()}")
        time.sleep(0.2)


def start_munged(cluster: Cluster) -> None:
    """Start munged with its own key, socket, pid, seed and log files in the cluster folder."""
    munge = cluster.root / "munge"
    _write_munge_key(munge / "munge.key")
    pid_file = cluster.pid_files["munged"]
    cmd = [
        _which("munged"),
        f"--key-file={munge / 'munge.key'}",
        f"--socket={cluster.munge_socket}",
        f"--pid-file={pid_file}",
        f"--log-file={cluster.root / 'log' / 'munged.log'}",
        f"--seed-file={munge / 'munged.seed'}",
    ]
    _run_daemon(cmd, cluster.env, cluster)
    _wait_for(lambda: cluster.munge_socket.exists() and pid_file.exists(), "the munge socket", cluster)


def start_slurmctld(cluster: Cluster) -> None:
    """Start slurmctld with a clean state (-c) and wait until it answers `scontrol ping`."""
    _run_daemon([_which("slurmctld"), "-c", "-i", "-f", str(cluster.conf)], cluster.env, cluster)

    def answers() -> bool:
        ping = subprocess.run(["scontrol", "ping"], env=cluster.env, capture_output=True, text=True)
        return "UP" in ping.stdout

    _wait_for(answers, "slurmctld to answer", cluster)


def start_slurmd(cluster: Cluster) -> None:
    """Start slurmd for node 'localhost' and wait until the node is idle."""
    _run_daemon([_which("slurmd"), "-N", NODE, "-f", str(cluster.conf)], cluster.env, cluster)

    def idle() -> bool:
        info = subprocess.run(["sinfo", "-h", "-o", "%t"], env=cluster.env, capture_output=True, text=True)
        return info.stdout.strip() == "idle"

    _wait_for(idle, f"node {NODE} to be idle", cluster)


# --------------------------------------------------------------------------- /etc/slurm/slurm.conf


def _is_test_link(path: Path) -> bool:
    """True if path is a symbolic link into a test cluster's folder (this one or a stale one)."""
    return path.is_symlink() and Path(os.readlink(path)).parent.name.startswith(ROOT_PREFIX)


def link_etc_conf(conf: Path) -> None:
    """Point /etc/slurm/slurm.conf at conf, moving any existing file aside first."""
    restore_etc_conf()  # undo what a killed earlier session may have left behind
    ETC_SLURM_CONF.parent.mkdir(parents=True, exist_ok=True)
    if ETC_SLURM_CONF.exists() or ETC_SLURM_CONF.is_symlink():
        ETC_SLURM_CONF.rename(ETC_BACKUP)
    ETC_SLURM_CONF.symlink_to(conf)


def restore_etc_conf() -> None:
    """Remove a test cluster's /etc/slurm/slurm.conf link and put back the file it replaced."""
    if _is_test_link(ETC_SLURM_CONF):
        ETC_SLURM_CONF.unlink()
    backup_present = ETC_BACKUP.exists() or ETC_BACKUP.is_symlink()
    conf_present = ETC_SLURM_CONF.exists() or ETC_SLURM_CONF.is_symlink()
    if backup_present and not conf_present:
        ETC_BACKUP.rename(ETC_SLURM_CONF)


# --------------------------------------------------------------------------- stopping


def _alive(pid: int) -> bool:
    """True if pid exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _command_name(pid: int) -> str:
    """The process's name (/proc/<pid>/comm), or '' if it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


def _wait_gone(pid: int, timeout_s: float) -> bool:
    """Wait up to timeout_s for pid to end; True if it did."""
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop_daemon(name: str, pid_file: Path, timeout_s: float = STOP_TIMEOUT_S) -> str | None:
    """Stop the daemon whose PID is in pid_file: SIGTERM, then SIGKILL after timeout_s.

    The PID is only signalled if the process's name is still `name` (a stale pid file must
    not hit another process). Returns an error message if the process survives, else None.
    """
    try:
        pid = int(pid_file.read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None  # never started, or exited and removed its pid file
    if not _alive(pid) or _command_name(pid) != name:
        return None
    os.kill(pid, signal.SIGTERM)
    if _wait_gone(pid, timeout_s):
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if _wait_gone(pid, 5):
        return None
    return f"{name} (pid {pid}) still running after SIGKILL"


def cancel_all_jobs(cluster: Cluster, timeout_s: float = 30) -> None:
    """scancel every pending or running job and wait (up to timeout_s) for them to end."""
    env = cluster.env

    def active() -> list[str]:
        out = subprocess.run(["squeue", "-h", "-o", "%i"], env=env, capture_output=True, text=True)
        return out.stdout.split() if out.returncode == 0 else []

    ids = active()
    if not ids:
        return
    subprocess.run(["scancel", *ids], env=env, capture_output=True)
    deadline = time.monotonic() + timeout_s
    while active() and time.monotonic() < deadline:
        time.sleep(0.5)


def stop_daemons(root: Path) -> list[str]:
    """Stop the daemons of the cluster in folder root, last started first; return any errors."""
    errors = [stop_daemon(name, f) for name, f in reversed(pid_files(root).items())]
    return [e for e in errors if e]


def stop_cluster(cluster: Cluster) -> None:
    """Cancel jobs, stop the daemons, restore /etc/slurm/slurm.conf, delete the folder.

    Raises RuntimeError at the end if a daemon could not be stopped (the folder is kept).
    """
    if cluster.pid_files["slurmctld"].exists():
        with contextlib.suppress(Exception):
            cancel_all_jobs(cluster)
    errors = stop_daemons(cluster.root)
    restore_etc_conf()
    if errors:
        raise RuntimeError("; ".join(errors) + f" (folder kept: {cluster.root})")
    shutil.rmtree(cluster.root, ignore_errors=True)


def stop_stale_clusters() -> None:
    """Stop the daemons and delete the folders of test clusters whose session was killed.

    Call only while holding the machine lock: then no live session owns such a folder.
    """
    for root in Path(tempfile.gettempdir()).glob(ROOT_PREFIX + "*"):
        if root.is_dir() and not stop_daemons(root):
            shutil.rmtree(root, ignore_errors=True)
    restore_etc_conf()


# --------------------------------------------------------------------------- entry points


@contextlib.contextmanager
def _machine_lock(timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold an exclusive lock file so only one test cluster runs on this machine at a time."""
    with open(LOCK_FILE, "w") as handle:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"another test cluster held {LOCK_FILE} for {timeout_s} s")
                time.sleep(1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def slurm_cluster() -> Iterator[Cluster]:
    """Install SLURM if needed, start a single-node cluster, yield it, and tear it all down."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    with _machine_lock():
        ensure_packages()  # under the lock: two apt-get runs would fight over dpkg's lock
        stop_stale_clusters()
        busy = [p for p in PORTS if _port_in_use(p)]
        if busy:
            raise RuntimeError(f"ports {busy} are in use: is another slurmctld/slurmd running?")
        root = Path(tempfile.mkdtemp(prefix=ROOT_PREFIX))
        _make_folders(root)
        munge_socket = root / "munge" / "munge.socket"
        cluster = Cluster(root=root, conf=write_slurm_conf(root, munge_socket), munge_socket=munge_socket)
        try:
            link_etc_conf(cluster.conf)
            start_munged(cluster)
            start_slurmctld(cluster)
            start_slurmd(cluster)
            yield cluster
        finally:
            stop_cluster(cluster)


def snakemake_env(cluster: Cluster | None = None) -> dict[str, str]:
    """Environment for Snakemake: the venv's bin first on PATH (jobs call `python`), SLURM_CONF."""
    env = dict(cluster.env if cluster else os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run_snakemake_slurm(
    workdir: str | os.PathLike,
    snakefile: str | os.PathLike,
    extra_args: Sequence[str] = (),
    timeout_s: int = 600,
    *,
    cluster: Cluster | None = None,
) -> subprocess.CompletedProcess:
    """Run Snakemake in workdir through SLURM with profiles/slurm plus tests/slurm/profile.

    Snakemake runs under ``timeout -k 30 timeout_s``: if the plugin loses track of a job,
    Snakemake waits forever and ignores SIGTERM. A return code of 124 or 137 means the
    timeout hit. stdout and stderr are merged into ``.stdout``. Any workflow profile in
    workdir (profiles/default) applies too, as it would for a user.
    """
    cmd = [
        "timeout", "-k", "30", str(timeout_s),
        sys.executable, "-m", "snakemake",
        "--snakefile", str(snakefile),
        "--profile", str(USER_PROFILE),
        "--profile", str(TEST_PROFILE),
        *extra_args,
    ]  # fmt: skip
    return subprocess.run(
        cmd,
        cwd=workdir,
        env=snakemake_env(cluster),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout_s + 60,
    )


def timed_out(proc: subprocess.CompletedProcess) -> bool:
    """True if `timeout` ended the run (124: SIGTERM worked, 137: needed SIGKILL)."""
    return proc.returncode in (124, 137)
