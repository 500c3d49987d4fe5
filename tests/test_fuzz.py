"""Fuzzing the input boundaries with Hypothesis: one clear error or success, never a crash.

Transcript JSON through `voicecoach score`, scenario YAML through `scenarios
validate`, and comment payloads through the replay server's comment routes
(a real server on loopback). Examples are few and derandomised so the suite
stays fast and repeatable; set VOICECOACH_FUZZ_EXAMPLES for a longer hunt.
"""

from __future__ import annotations

import http.client
import json
import math
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from session_fixture import make_session, running_server

from voicecoach.cli import cli
from voicecoach.paths import PROJECT_DIR
from voicecoach.session.store import open_store

EXAMPLES = int(os.environ.get("VOICECOACH_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("VOICECOACH_FUZZ_EXAMPLES"),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EDGE_NUMBERS = (math.nan, math.inf, -math.inf, -0.0, -1, 1e308, 10**400, 2**63)
numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=40))
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def either(good, junk=json_values):
    """Mostly a plausible value (to reach deep code), sometimes anything."""
    return st.one_of(good, good, good, junk)


word = st.fixed_dictionaries(
    {"w": either(st.text(max_size=12))},
    optional={"start": either(numbers), "end": either(numbers), "conf": either(numbers)},
)
REAL_LINES = sorted(
    {
        turn["text"]
        for path in (Path(__file__).parent / "fixtures" / "scoring").glob("*.json")
        for turn in json.loads(path.read_text())["turns"]
    }
)  # lines the detectors recognise, so evidence (with its times) reaches the output
turn = st.fixed_dictionaries(
    {
        "speaker": either(st.sampled_from(["trainee", "caller"])),
        "text": either(st.one_of(st.sampled_from(REAL_LINES), st.text(min_size=1, max_size=80))),
    },
    optional={
        "start": either(st.floats(0, 600), numbers),
        "end": either(st.floats(0, 600), numbers),
        "words": either(st.lists(word, max_size=4)),
    },
)
transcript = st.fixed_dictionaries(
    {
        "protocol": either(st.sampled_from(["upset_caller", "desc", "spikes"])),
        "turns": either(st.lists(turn, min_size=1, max_size=6)),
    },
    optional={
        "caller_name": either(st.text(max_size=20)),
        "record_sensitive": either(st.booleans()),
        "jargon": either(st.dictionaries(st.text(max_size=10), st.text(max_size=10))),
    },
)


def assert_one_clear_line_or_success(result, ok_codes: tuple[int, ...]) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in ok_codes, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output


NAN_START = {  # the reported crash, always among the examples
    "protocol": "upset_caller",
    "turns": [{"speaker": "trainee", "text": "Thank you for calling.", "start": math.nan}],
}


@FUZZ
@given(document=st.one_of(transcript, json_values), raw=st.booleans(), as_json=st.booleans())
@example(document=NAN_START, raw=False, as_json=False)
@example(document=NAN_START, raw=False, as_json=True)
def test_score_any_transcript_json(tmp_path_factory, document, raw, as_json):
    path = tmp_path_factory.mktemp("fuzz") / "call.json"
    path.write_text(str(document) if raw else json.dumps(document))  # raw: not even JSON
    result = CliRunner().invoke(cli, ["score", *(["--json"] if as_json else []), str(path)])
    assert_one_clear_line_or_success(result, (0, 2))
    if result.exit_code == 2:
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("error: ") and str(path) in line
    elif as_json:
        score = json.loads(result.stdout, parse_constant=lambda c: pytest.fail(c))
        assert 0 <= score["score"] <= 100
    else:
        assert "/100" in result.stdout  # the score line


SCENARIO = yaml.safe_load((PROJECT_DIR / "scenarios" / "double_billing.yaml").read_text())


def paths_of(node, prefix=()) -> list[tuple]:
    """Every key path into a scenario document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths_of(value, (*prefix, index))
    return found


SCENARIO_PATHS = paths_of(SCENARIO)


def replaced(doc, path: tuple, value):
    """A deep copy of `doc` with the value at `path` replaced."""
    if not path:
        return value
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[path[0]] = replaced(doc[path[0]], path[1:], value)
    return copy


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=30)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ
@given(
    edits=st.lists(st.tuples(st.sampled_from(SCENARIO_PATHS), yaml_values), max_size=3),
    raw=st.one_of(st.none(), st.text(max_size=200)),
)
def test_scenarios_validate_any_yaml(tmp_path_factory, edits, raw):
    doc = SCENARIO
    for path, value in edits:
        try:
            doc = replaced(doc, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed that path
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "fuzzed.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(doc, allow_unicode=True))
    result = CliRunner().invoke(cli, ["scenarios", "validate", str(path)])
    assert_one_clear_line_or_success(result, (0, 1))
    for line in result.stdout.strip().splitlines() if result.exit_code else []:
        assert line.startswith(f"{path}:")


@pytest.fixture(scope="module")
def comment_site(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("fuzz") / "data")
    sid = make_session(store).info.id
    first = store.add_comment(sid, t_s=1.0, text="first", author="sam")
    with running_server(store) as server:
        yield server, store, sid, first.id
    store.close()


def send(server, method: str, path: str, body: bytes) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=30)
    conn.request(
        method,
        path,
        body=body,
        headers={"Content-Type": "application/json", "X-CSRF-Token": server.csrf_token},
    )
    response = conn.getresponse()
    status, data = response.status, response.read()
    conn.close()
    return status, json.loads(data, parse_constant=lambda c: pytest.fail(f"{c} sent"))


comment_body = st.fixed_dictionaries(
    {
        "text": either(st.text(min_size=1, max_size=60)),
        "author": either(st.text(min_size=1, max_size=20)),
        "t_s": st.one_of(st.floats(0, 100), numbers, json_values),
    },
    optional={"end_s": either(st.floats(0, 200), numbers), "version": either(st.integers(0, 5))},
)


@FUZZ
@given(
    body=st.one_of(comment_body, json_values),
    raw=st.one_of(st.none(), st.binary(max_size=200)),
    edit=st.booleans(),
)
@example(body={"t_s": math.inf, "text": "x", "author": "y"}, raw=None, edit=False)
@example(body={"t_s": math.nan, "text": "x", "author": "y"}, raw=None, edit=False)
def test_comment_routes_answer_any_payload_without_a_server_error(comment_site, body, raw, edit):
    server, store, sid, first_id = comment_site
    payload = raw if raw is not None else json.dumps(body).encode()
    if edit:
        status, answer = send(server, "PUT", f"/sessions/{sid}/comments/{first_id}", payload)
    else:
        status, answer = send(server, "POST", f"/sessions/{sid}/comments", payload)
    assert status in (200, 201, 400, 409), answer
    if status >= 400:
        assert answer["error"] and "internal" not in answer["error"]
    for comment in store.list_comments(sid):
        assert math.isfinite(comment.t_s) and isinstance(comment.text, str)
    assert Path(store.folder(sid) / "annotations.jsonl").is_file()
