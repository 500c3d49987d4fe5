"""Private data stays private whatever the umask: folders 0700, files 0600.

A subprocess with umask 0 (the widest) records a session, comments on it and
saves a baseline; then every file and folder under the data dir is checked,
as another local user would find them.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

RECORD_UNDER_UMASK_0 = textwrap.dedent(
    """
    import os, sys
    os.umask(0)
    from voicecoach.delivery.baseline import Baseline, save_baseline
    from voicecoach.session.recorder import SessionRecorder
    from voicecoach.session.store import open_store

    with open_store(sys.argv[1]) as store:
        recorder = SessionRecorder(
            store, trainee="ana", scenario_id="double_billing", protocol="upset_caller"
        )
        recorder.add_trainee_audio(bytes(32000))
        recorder.add_caller_audio(bytes(16000), at_s=0.5)
        recorder.event("turn", text="my date of birth is the fourth of May")
        info = recorder.finish(
            outcome="resolved", complete=True, transcript={"turns": []}, score={"score": 50}
        )
        store.add_comment(info.id, t_s=0.5, text="private remark", author="sam")
        for suffix in ("-wal", "-shm"):  # they exist while the store is open
            print(oct(os.stat(f"{store.db_path}{suffix}").st_mode & 0o777))
    save_baseline("ana", Baseline(120.0, 2.0, -20.0, 12.0, 1500.0, -10.0, 150.0, 4.0, 30.0, 20.0))
    """
)


def modes_under(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
        for path in [root, *root.rglob("*")]
    }


def test_every_file_and_folder_is_private_under_umask_0(tmp_path):
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-c", RECORD_UNDER_UMASK_0, str(data)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "VOICECOACH_DATA_DIR": str(data)},
    )
    assert done.returncode == 0, done.stderr
    modes = modes_under(data)
    names = {Path(name).name for name in modes}
    for expected in ("sessions.db", "trainee.wav", "call.wav", "events.jsonl", "ana.json"):
        assert expected in names
    assert done.stdout.split() == ["0o600", "0o600"]  # sessions.db-wal and -shm
    wide = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (data / name).is_dir() else 0o600)
    }
    assert wide == {}


def test_files_left_readable_by_an_older_version_are_narrowed_on_open(tmp_path):
    from voicecoach.session.store import open_store

    data = tmp_path / "data"
    open_store(data).close()
    for path in (data, data / "sessions"):
        os.chmod(path, 0o755)
    os.chmod(data / "sessions.db", 0o644)
    with open_store(data) as store:
        store.list_sessions()
    modes = modes_under(data)
    assert modes["."] == 0o700 and modes["sessions"] == 0o700
    assert all(mode == 0o600 for name, mode in modes.items() if name.startswith("sessions.db"))
