"""YAML data files checked against a JSON schema; errors name the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from voicecoach import yamlsafe
from voicecoach.errors import ScenarioError


def line_of(node: yaml.Node, path: list) -> int:
    """The 1-based line of the YAML node at a JSON-schema error path (or its nearest parent)."""
    for key in path:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            child = node.value[key]
        else:
            child = None
        if child is None:
            break
        node = child
    return node.start_mark.line + 1


def parse_checked(text: str, source: str, schema: dict[str, Any]) -> tuple[Any, yaml.Node]:
    """(data, YAML node tree) of valid text; ScenarioError names `source`:line otherwise."""
    import jsonschema

    try:
        root, data = yamlsafe.parse(text)  # safe, no aliases, bounded size and depth
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ScenarioError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if root is None:
        raise ScenarioError(f"{source}:1: the file is empty")
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        field = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        line = line_of(root, list(err.absolute_path))
        raise ScenarioError(f"{source}:{line}: {field}: {err.message}")
    return data, root


def load_checked(path: Path, schema: dict[str, Any]) -> tuple[Any, yaml.Node]:
    """`parse_checked` on a file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    return parse_checked(text, str(path), schema)
