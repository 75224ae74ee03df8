"""Check the workflow's config before any job runs, with one- or two-line errors naming the key.

What the JSON schema alone lets through, and what this module adds:

* nested ``--config`` values: Snakemake parses ``--config 'depth_accuracy={epochs: 3}'`` with
  YAML's base loader, so every nested scalar arrives as a string (``"3"``). Where the schema
  wants an integer, a number or a boolean, such a string is read as a YAML scalar.
* integer-valued floats: JSON Schema counts ``2.0`` as an integer; a numpy ``range`` or a file
  name ``seed0.0.json`` does not. Every ``type: integer`` field of the schema refuses floats.
* cross-field rules (:data:`RULES`), e.g. a mini-batch no larger than the training set.
* the schema's own errors, reported as ``config key a.b.c: <reason>`` without the schema dump.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """A config value breaks a rule; the message names the key path and the rule."""


NESTED_ADVICE = (
    "(nested keys can be set with --config 'section={key: value}' or, for several, with --configfile FILE)"
)


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


def coerce_strings(value, schema: dict, root: dict):
    """Return ``value`` with each string that stands where the schema wants an integer, number or
    boolean read as a YAML scalar (what Snakemake leaves of a nested ``--config`` value)."""
    schema = resolve(schema, root)
    wanted = schema.get("type")
    if isinstance(value, str) and wanted in SCALAR_TYPES:
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
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


def schema_error_text(error: jsonschema.ValidationError) -> str:
    """``config key a.b: reason`` for one schema error (the message without the schema dump)."""
    path = key_path(error.absolute_path)
    if error.validator == "additionalProperties":
        return f"config key {path}: {error.message}"
    message = error.message
    if len(message) > 200:
        message = message[:200] + " ..."
    return f"config key {path}: {message} (schema: {error.validator} {error.validator_value!r})"[:400]


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
        for name in ("depth_accuracy", "beyond.saturation", "beyond.optimizers", "beyond.table1")
    ],
    *[
        (name, "probe_size", "train_size", "the probe images are taken from the training images")
        for name in ("beyond.saturation", "beyond.optimizers")
    ],
    ("beyond.saturation", "record_epochs", "epochs", "the fine records are taken during the first epochs"),
    ("initial_speed", "bar_neurons", "width", "the bar figure shows that many neurons of each layer"),
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


def check_config(config: dict, schema_path, set_defaults: Callable[[dict, str], None] | None = None) -> dict:
    """Coerce, check and (through ``set_defaults``, e.g. Snakemake's ``validate``) complete ``config``
    in place; raise :class:`ConfigError` listing every problem, one or two lines each."""
    root = load_schema(schema_path)
    coerce_strings(config, root, root)
    floats = dict(float_integers(config, root, root))
    errors = [
        f"config key {key_path(path)}: {value!r} is a float; it must be a whole number written without a "
        f"decimal point (schema: type integer)"
        for path, value in floats.items()
    ]
    validator = jsonschema.Draft202012Validator(root)
    schema_errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    errors += [schema_error_text(e) for e in schema_errors if tuple(e.absolute_path) not in floats]
    if errors:
        raise ConfigError(summary(errors))
    if set_defaults is not None:
        set_defaults(config, str(schema_path))
    errors = cross_field_errors(config)
    if errors:
        raise ConfigError(summary(errors))
    return config


def summary(errors: list[str]) -> str:
    """Every problem on its own line, under one heading; the ``--config`` advice after a type error."""
    count = f"{len(errors)} problems" if len(errors) > 1 else "1 problem"
    lines = [f"Error validating config file ({count}):"] + [f"  {e}" for e in errors]
    if any("is not of type" in e for e in errors):
        lines.append("  " + NESTED_ADVICE)
    return "\n".join(lines)
