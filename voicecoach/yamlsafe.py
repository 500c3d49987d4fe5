"""YAML for VoiceCoach's data files (scenarios, rubrics): safe, without aliases, bounded.

`yaml.safe_load` still expands aliases, so a few hundred bytes of nested
`*alias` references (a "billion laughs" file) grow to gigabytes. Our files have
no use for aliases: `parse` refuses any `*alias` with the line it is on, files
over MAX_YAML_BYTES, and nesting deeper than Python can follow, each as a
`yaml.MarkedYAMLError` (the error the loaders already report with a line).

    node, data = parse(text)      # the node tree (for line numbers) and the data
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError

MAX_YAML_BYTES = 1_000_000


class NoAliasSafeLoader(yaml.SafeLoader):
    """The safe loader, refusing aliases (`*name`) where it meets them."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ComposerError(
                None,
                None,
                f"aliases (*{event.anchor}) are not allowed: write the value out in full",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def parse(text: str) -> tuple[yaml.Node | None, Any]:
    """The composed node tree and the data of one YAML document (None, None when empty).

    Raises yaml.MarkedYAMLError for invalid YAML, aliases, too large or too deep files.
    """
    if len(text) > MAX_YAML_BYTES:
        raise yaml.MarkedYAMLError(
            problem=f"the file is larger than {MAX_YAML_BYTES // 1000} kB; is it the right file?"
        )
    try:
        loader = NoAliasSafeLoader(text)  # checks every character first
    except yaml.reader.ReaderError as exc:
        raise _unprintable(text, exc) from None
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    except RecursionError:
        raise yaml.MarkedYAMLError(problem="the YAML is nested too deeply") from None
    finally:
        loader.dispose()


def _unprintable(text: str, exc: yaml.reader.ReaderError) -> yaml.MarkedYAMLError:
    """A control character YAML refuses, located like the other YAML errors."""
    line = text.count("\n", 0, exc.position)
    column = exc.position - (text.rfind("\n", 0, exc.position) + 1)
    mark = yaml.Mark("<text>", exc.position, line, column, None, None)
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return yaml.MarkedYAMLError(
        problem=f"character #x{code:04x} is not allowed in YAML", problem_mark=mark
    )


if __name__ == "__main__":
    try:
        parse("a: &x [1, 2]\nb: [*x, *x]\n")
    except yaml.MarkedYAMLError as exc:
        print(exc)
