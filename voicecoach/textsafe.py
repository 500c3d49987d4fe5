"""User text printed as text in the terminal: never read as rich markup, never as escapes.

Comments, transcripts, names and file names come from people and files, so a
"[/bold]" in them must print as those characters (rich would read it as a
closing tag, or "[link=...]" as a link) and an ESC or NUL byte must not reach
the terminal (clearing the screen, setting the window title). Every command
prints such text through one of these:

    console.print(f"[bold]{textsafe.markup(name)}[/]: {textsafe.markup(comment)}")
    console.print(textsafe.text(comment, style="italic"))   # a rich Text, no markup at all

Control characters become visible: C0 controls as their Unicode pictures (ESC
-> "␛", NUL -> "␀"), DEL as "␡", C1 controls and bidirectional overrides as
`\\u009b`-style escapes. Newlines and tabs are kept.
"""

from __future__ import annotations

import re
from typing import Any

from rich.markup import escape
from rich.text import Text

KEPT_CONTROLS = "\n\t"
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _show(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the "control pictures" block: ␀ ... ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"\\u{code:04x}"


def visible(value: Any) -> str:
    """`value` as a string whose control characters (but newline and tab) are made visible."""
    return _UNSAFE.sub(_show, str(value))


def markup(value: Any) -> str:
    """`value` ready to embed in a rich markup string: printed exactly as written."""
    return escape(visible(value))


def text(value: Any, style: str = "") -> Text:
    """`value` as a rich Text (never parsed as markup), control characters made visible."""
    return Text(visible(value), style=style)


if __name__ == "__main__":
    from rich.console import Console

    hostile = "see [/bold] here \x1b[2J [link=http://x]y[/link]"
    Console().print(f"[bold]comment:[/] {markup(hostile)}")
