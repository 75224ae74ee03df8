"""Check the workflow's config before any job runs, with one- or two-line errors naming the key.

What the JSON schema alone lets through, and what this module adds:

* nested ``--config`` values: Snakemake parses ``--config 'depth_accuracy={epochs: 3}'`` with
  YAML's base loader, so every nested scalar arrives as a string (``"3"``). Where the schema
  wants an integer, a number or a boolean, such a string is read as a YAML scalar.
* integer-valued floats: JSON Schema counts ``2.0`` as an integer; a numpy ``range`` or a file
  name ``seed0.0.json`` does not. Every ``type: integer`` field of the schema refuses floats.
* numbers in exponent form: PyYAML (YAML 1.1) reads ``1e-1`` as a string; where the schema wants
  a number it is read as the number YAML 1.2 and users mean.
* NaN and infinity (``.nan``, ``.inf``) pass every ``minimum``; every number field refuses them.
* bounded parsing: a config file holding YAML anchors or aliases is refused (one alias can stand
  for millions of values), and so is a config of more than :data:`MAX_VALUES` values or
  :data:`MAX_TEXT` characters, before the schema is consulted; every value quoted in a message is
  cut to a short prefix, and at most :data:`MAX_LINES` problems are listed.
* cross-field rules (:data:`RULES`), e.g. a mini-batch no larger than the training set, and sizes
  whose memory the machine cannot hold (:mod:`vanishing.pipeline.config_memory`).
* the schema's own errors, reported as ``config key a.b.c: <reason>`` without the schema dump.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable, Iterable
from pathlib import Path

import jsonschema
import yaml

from vanishing.pipeline.config_memory import machine_memory, memory_errors


class ConfigError(ValueError):
    """A config value breaks a rule; the message names the key path and the rule."""


NESTED_ADVICE = (
    "(nested keys can be set with --config 'section={key: value}' or, for several, with --configfile FILE)"
)


#: Most values (mapping entries, list items and scalars, an alias counted each time it is used) and
#: characters of text (keys and strings) a config may hold; the shipped configs hold a few hundred.
MAX_VALUES = 20_000
MAX_TEXT = 1_000_000
#: Largest config file read, and most problems listed in one error.
MAX_FILE_BYTES = 1_000_000
MAX_LINES = 20


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 3, 6, 6, 80, 80


def shown(value) -> str:
    """A repr of ``value`` that formats only a bounded prefix (:mod:`reprlib`: at most 6 items per
    container, 3 levels deep, 80 characters per string)."""
    return _SHORT.repr(value)


def check_config_files(paths: Iterable) -> None:
    """Refuse a config file that holds a YAML anchor or alias, or more than :data:`MAX_FILE_BYTES`:
    read as events (never expanded), so a file of a kilobyte cannot stand for millions of values.
    A file that turns on Snakemake's YTE templating (``__use_yte__``) is refused too."""
    for path in map(Path, paths):
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConfigError(f"config file {path}: {size} bytes, more than the {MAX_FILE_BYTES} a config file may hold")
        try:
            for event in yaml.parse(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader):
                if isinstance(event, yaml.ScalarEvent) and event.value == "__use_yte__":
                    raise ConfigError(
                        f"config file {path}, line {event.start_mark.line + 1}: __use_yte__ makes Snakemake "
                        "evaluate the file's ?-expressions as Python code (it already has, while reading it): "
                        "config files here are data only; remove it and write the values out")
                alias = isinstance(event, yaml.AliasEvent)
                if alias or getattr(event, "anchor", None):
                    sign = "*" if alias else "&"
                    raise ConfigError(
                        f"config file {path}, line {event.start_mark.line + 1}: YAML "
                        f"{'alias' if alias else 'anchor'} {sign}{shown(event.anchor)[1:-1]}: anchors and aliases "
                        "are not allowed in config files (one alias can stand for millions of values); write "
                        "the values out")
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # Snakemake has read it already and reports what it could not


def check_size(config) -> None:
    """Refuse a config of more than :data:`MAX_VALUES` values or :data:`MAX_TEXT` characters,
    counting every use of a shared (aliased) value; stops as soon as a limit is passed."""
    values, text, stack = 0, 0, [config]
    while stack:
        node = stack.pop()
        values += 1
        if isinstance(node, dict):
            values += len(node)
            text += sum(len(k) for k in node if isinstance(k, str))
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            values += len(node)
            if values <= MAX_VALUES:
                stack.extend(node)
        elif isinstance(node, str):
            text += len(node)
        if values > MAX_VALUES or text > MAX_TEXT:
            raise ConfigError(
                f"Error validating config file: the config holds more than {MAX_VALUES:,} values or "
                f"{MAX_TEXT:,} characters of text (a YAML alias counts each time it is used); refused "
                "before validation")


def load_schema(path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def key_path(parts) -> str:
    """``("beyond", "init", "seeds", 0)`` -> ``beyond.init.seeds[0]``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def resolve(schema: dict, root: dict) -> dict:
    """Follow a local ``$ref`` (``#/$defs/name``), keeping the referring node's own keys."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    target = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**resolve(target, root), **{k: v for k, v in schema.items() if k != "$ref"}}


def children(schema: dict, value, root: dict):
    """``(key, child schema, child value)`` for each member of a dict or list value."""
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key, child in value.items():
            if key in props:
                yield key, resolve(props[key], root), child
    elif isinstance(value, list) and "items" in schema:
        items = resolve(schema["items"], root)
        for i, child in enumerate(value):
            yield i, items, child


SCALAR_TYPES = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


#: A decimal number as YAML 1.2 writes it, exponent form included (``1e-1``, ``2E3``), which YAML
#: 1.1 (PyYAML) leaves a string.
NUMBER = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def coerce_strings(value, schema: dict, root: dict):
    """Return ``value`` with each string that stands where the schema wants an integer, number or
    boolean read as a YAML scalar (what Snakemake leaves of a nested ``--config`` value), and a
    number in exponent form (``1e-1``, a string to PyYAML) read as that number."""
    schema = resolve(schema, root)
    wanted = schema.get("type")
    if isinstance(value, str) and wanted in SCALAR_TYPES:
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        if isinstance(parsed, str) and wanted != "boolean" and len(parsed) < 100 and NUMBER.fullmatch(parsed):
            return float(parsed)
        return parsed if SCALAR_TYPES["number"](parsed) or isinstance(parsed, bool) else value
    if isinstance(value, dict):
        for key, child_schema, child in list(children(schema, value, root)):
            value[key] = coerce_strings(child, child_schema, root)
    elif isinstance(value, list):
        for i, child_schema, child in list(children(schema, value, root)):
            value[i] = coerce_strings(child, child_schema, root)
    return value


def float_integers(value, schema: dict, root: dict, path=()):
    """Yield ``(path, value)`` for each float standing where the schema says ``type: integer``."""
    schema = resolve(schema, root)
    if schema.get("type") == "integer" and isinstance(value, float):
        yield path, value
    for key, child_schema, child in children(schema, value, root):
        yield from float_integers(child, child_schema, root, (*path, key))


def nonfinite_numbers(value, schema: dict, root: dict, path=()):
    """Yield ``(path, value)`` for each NaN or infinity standing where the schema wants a number."""
    schema = resolve(schema, root)
    if schema.get("type") in ("number", "integer") and isinstance(value, float) and not math.isfinite(value):
        yield path, value
    for key, child_schema, child in children(schema, value, root):
        yield from nonfinite_numbers(child, child_schema, root, (*path, key))


def float_error(path, value: float) -> str:
    hint = f" (write {int(value)})" if value.is_integer() else ""
    return (f"config key {key_path(path)}: {value!r} is a float; it must be a whole number written without a "
            f"decimal point or exponent{hint} (schema: type integer)")


def schema_error_text(error: jsonschema.ValidationError) -> str:
    """``config key a.b: reason`` for one schema error (the message without the schema dump)."""
    path = key_path(error.absolute_path)
    if error.validator == "additionalProperties":
        return f"config key {path}: {error.message}"
    message = error.message
    if len(message) > 200:
        message = message[:200] + " ..."
    return f"config key {path}: {message} (schema: {error.validator} {shown(error.validator_value)})"[:400]


def section(config: dict, dotted: str):
    node = config
    for part in dotted.split("."):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


#: Cross-field rules checked after the defaults are filled in: (section, key, limit key, why),
#: each meaning ``section.key <= section.limit``.
RULES = [
    *[
        (name, "mini_batch_size", "train_size", "a mini-batch cannot hold more images than the training set")
        for name in ("depth_accuracy", "beyond.saturation", "beyond.optimizers", "beyond.table1",
                     "why_deeper.remedies", "why_deeper.equalized")
    ],
    *[
        (name, "probe_size", "train_size", "the probe images are taken from the training images")
        for name in ("beyond.saturation", "beyond.optimizers")
    ],
    ("beyond.saturation", "record_epochs", "epochs", "the fine records are taken during the first epochs"),
    ("initial_speed", "bar_neurons", "width", "the bar figure shows that many neurons of each layer"),
    *[
        (name, "cost_images", "train_size", "the cost and accuracy are read on the training images")
        for name in ("why_deeper.remedies", "why_deeper.equalized")
    ],
]


def cross_field_errors(config: dict) -> list[str]:
    """One line for each broken rule of :data:`RULES`."""
    errors = []
    for name, small, large, why in RULES:
        sec = section(config, name)
        if small in sec and large in sec and sec[small] > sec[large]:
            errors.append(
                f"config key {name}.{small}: {sec[small]} is larger than {name}.{large} = {sec[large]} ({why})"
            )
    return errors


def data_dir_errors(config: dict) -> list[str]:
    """data.dir must stay inside the project unless data.allow_outside_project says otherwise."""
    data = config.get("data", {})
    folder = data.get("dir", "")
    outside = Path(folder).is_absolute() or ".." in Path(folder).parts
    if outside and not data.get("allow_outside_project"):
        return [f"config key data.dir: {shown(folder)} is outside the project (absolute, or through '..'); "
                "set data.allow_outside_project: true to use a folder there (the pipeline then touches only its "
                "own files in it)"]
    return []


def check_config(config: dict, schema_path, set_defaults: Callable[[dict, str], None] | None = None,
                 files: Iterable = (), memory: int | None = None) -> dict:
    """Coerce, check and (through ``set_defaults``, e.g. Snakemake's ``validate``) complete ``config``
    in place; raise :class:`ConfigError` listing every problem, one or two lines each.

    ``files`` are the config files it was read from (checked for YAML anchors and aliases first);
    ``memory`` is the bytes a job may use (default: this machine's, :func:`machine_memory`).
    """
    check_config_files(files)
    check_size(config)
    root = load_schema(schema_path)
    coerce_strings(config, root, root)
    nonfinite = dict(nonfinite_numbers(config, root, root))
    floats = {path: value for path, value in float_integers(config, root, root) if path not in nonfinite}
    errors = [
        f"config key {key_path(path)}: {value!r} is not a finite number: NaN and infinity are refused"
        for path, value in nonfinite.items()
    ]
    errors += [float_error(path, value) for path, value in floats.items()]
    reported = nonfinite.keys() | floats.keys()
    validator = jsonschema.Draft202012Validator(root)
    schema_errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    errors += [schema_error_text(e) for e in schema_errors if tuple(e.absolute_path) not in reported]
    if errors:
        raise ConfigError(summary(errors))
    if set_defaults is not None:
        set_defaults(config, str(schema_path))
    errors = cross_field_errors(config) + data_dir_errors(config)
    errors += memory_errors(config, machine_memory() if memory is None else memory)
    if errors:
        raise ConfigError(summary(errors))
    return config


def summary(errors: list[str]) -> str:
    """Every problem on its own line, under one heading; the ``--config`` advice after a type error."""
    count = f"{len(errors)} problems" if len(errors) > 1 else "1 problem"
    lines = [f"Error validating config file ({count}):"] + [f"  {e}" for e in errors[:MAX_LINES]]
    if len(errors) > MAX_LINES:
        lines.append(f"  ... and {len(errors) - MAX_LINES} more")
    if any("is not of type" in e for e in errors):
        lines.append("  " + NESTED_ADVICE)
    return "\n".join(lines)
