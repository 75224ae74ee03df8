"""What made each run, from the provenance and config blocks of its summaries, and which of the
differences could explain a change in the results: another config, another code version,
other numpy or pandas, another BLAS library or kernel, another Python. The platform string
(which names the kernel build, new on every machine) is listed but not offered as a cause."""

from __future__ import annotations

from vanishing.publication.report_top import config_digest


def _flat(tree, prefix=""):
    if isinstance(tree, dict):
        out = {}
        for k, v in tree.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: tree}


def config_changes(published: dict, run: dict, limit=12) -> list[str]:
    """Dotted keys whose values differ (``depth_accuracy.epochs``), at most ``limit`` of them."""
    old, new = _flat(published), _flat(run)
    changed = sorted(k for k in old.keys() | new.keys() if old.get(k, "∅") != new.get(k, "∅"))
    return changed[:limit] + ([f"and {len(changed) - limit} more"] if len(changed) > limit else [])


def blas_text(provenance: dict) -> str | None:
    """``openblas 0.3.31 (SkylakeX)``, with ``OPENBLAS_CORETYPE=...`` when it was set; None if the
    run did not record its BLAS."""
    blas = provenance.get("blas")
    if not blas or blas.get("libraries") is None:
        return None
    libs = [f"{lib.get('internal_api')} {lib.get('version')} ({lib.get('architecture')})"
            for lib in blas["libraries"]] or ["none found"]
    forced = f", OPENBLAS_CORETYPE={blas['OPENBLAS_CORETYPE']}" if blas.get("OPENBLAS_CORETYPE") else ""
    return "; ".join(libs) + forced


def describe_run(summaries: dict) -> dict:
    """Code version, config digest per summary, packages, BLAS and machine of one run (from its
    summaries; ``summary.json`` first)."""
    first = next((s for s in summaries.values() if s and "provenance" in s), None)
    prov = first["provenance"] if first else {}
    machine = prov.get("machine", {})
    return {
        "code_version": sorted({s["provenance"].get("code_version") for s in summaries.values()
                                if s and "provenance" in s} - {None}),
        "config_digest": {name: config_digest(s["config"]) for name, s in summaries.items() if s and "config" in s},
        "packages": prov.get("packages", {}),
        "blas": blas_text(prov),
        "python": machine.get("python"),
        "platform": machine.get("platform"),
        "cpus": machine.get("cpus"),
    }


def origin_rows(published: dict, run: dict) -> list[dict]:
    """One row per recorded fact of both runs: what, published, this run, same or differs."""
    rows = [("code version", ", ".join(published["code_version"]) or None, ", ".join(run["code_version"]) or None)]
    for name in sorted(published["config_digest"].keys() | run["config_digest"].keys()):
        rows.append((f"config digest ({name})", published["config_digest"].get(name), run["config_digest"].get(name)))
    for package in sorted(published["packages"].keys() | run["packages"].keys()):
        rows.append((package, published["packages"].get(package), run["packages"].get(package)))
    rows += [("BLAS", published["blas"], run["blas"]), ("python", published["python"], run["python"]),
             ("platform", published["platform"], run["platform"]), ("cpus", published["cpus"], run["cpus"])]
    return [{"what": what, "published": old, "run": new,
             "status": "not recorded" if old is None or new is None else ("same" if old == new else "differs")}
            for what, old, new in rows]


def explanations(published_summaries: dict, run_summaries: dict, origins: list[dict]) -> list[str]:
    """The recorded differences that could explain a change of results, most likely first."""
    found = []
    for name in sorted(published_summaries):
        old, new = published_summaries[name], run_summaries.get(name)
        if old and new and "config" in old and "config" in new and old["config"] != new["config"]:
            found.append(f"another config ({name}: " + ", ".join(config_changes(old["config"], new["config"])) + ")")
    by_what = {row["what"]: row for row in origins}
    code = by_what["code version"]
    if code["status"] == "differs":
        found.append(f"another code version ({code['published']} → {code['run']})")
    for row in origins:
        if row["what"] in ("numpy", "pandas") and row["status"] == "differs":
            found.append(f"another {row['what']} ({row['published']} → {row['run']})")
    blas = by_what["BLAS"]
    if blas["status"] == "differs":
        found.append(f"another BLAS ({blas['published']} → {blas['run']})")
    if by_what["python"]["status"] == "differs":
        found.append(f"another Python ({by_what['python']['published']} → {by_what['python']['run']})")
    return found


def unknowns(origins: list[dict]) -> list[str]:
    """Facts that one of the runs did not record (so they cannot be ruled out as a cause)."""
    return [f"{row['what']}: not recorded by " + ("either run" if row["published"] is None and row["run"] is None
                                                  else "the published run" if row["published"] is None else "this run")
            for row in origins if row["status"] == "not recorded"]
