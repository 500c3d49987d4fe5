"""JSON at every boundary: finite numbers only, in and out, and no crash on deep nesting.

Python's `json` reads and writes `NaN`, `Infinity` and `-Infinity`, which are
not JSON: browsers and other tools refuse the whole document. `loads` refuses
them (and numbers beyond the float range, and nesting deeper than Python can
parse) with a `ValueError` whose message says what was wrong; `dumps` writes
standard JSON only, replacing any non-finite float by `null`.

    loads('{"t_s": 1.5}')        -> {'t_s': 1.5}
    loads('{"t_s": Infinity}')   -> ValueError: Infinity is not a number JSON allows ...
    dumps({"score": float("nan")}) -> '{"score": null}'
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

FLOAT_MAX = sys.float_info.max


class NonFiniteNumberError(ValueError):
    """A JSON text holding NaN, Infinity or a number too large for a float."""


def _refuse_constant(name: str) -> Any:
    raise NonFiniteNumberError(f"{name} is not a number JSON allows; send a finite number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NonFiniteNumberError(f"the number {text[:20]} is too large")
    return value


def _bounded_int(text: str) -> int:
    value = int(text)
    if len(text) > 300 and abs(value) > FLOAT_MAX:
        raise NonFiniteNumberError(f"the number {text[:20]}... is too large")
    return value


def loads(text: str | bytes) -> Any:
    """Parse standard JSON; ValueError for invalid JSON, non-finite numbers or deep nesting."""
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise ValueError("the JSON is nested too deeply") from None


def finite(obj: Any) -> Any:
    """`obj` with every NaN or infinite float (in dicts, lists, tuples) replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {key: finite(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(value) for value in obj]
    return obj


def dumps(obj: Any, **options: Any) -> str:
    """`json.dumps` that never writes NaN/Infinity (they become null); same options."""
    try:
        return json.dumps(obj, allow_nan=False, **options)
    except ValueError:
        return json.dumps(finite(obj), allow_nan=False, **options)


if __name__ == "__main__":
    print(dumps({"score": float("nan"), "t_s": [1.0, float("inf")]}))
    try:
        loads('{"t_s": Infinity}')
    except ValueError as exc:
        print("refused:", exc)
