"""JSON from outside is refused before json.loads when it nests too deep (which, with
the recursion limit the eth libraries set, overflowed the C stack: SIGSEGV)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from vault import bounded_json

ROOT = Path(__file__).resolve().parents[2]


def test_brackets_inside_strings_do_not_count() -> None:
    text = '{"a": "' + "[" * 5000 + '", "b": [[1]], "c": "\\"[[["}'
    assert bounded_json.loads(text)["b"] == [[1]]


def test_as_deep_as_allowed_is_read_and_one_more_is_refused() -> None:
    deep = bounded_json.MAX_DEPTH
    assert bounded_json.loads("[" * deep + "]" * deep) is not None
    with pytest.raises(bounded_json.JsonTooDeep, match="nested more than 100 levels"):
        bounded_json.loads("[" * (deep + 1) + "]" * (deep + 1))


def test_the_app_process_survives_a_deep_answer() -> None:
    """With the app's imports (py_ecc sets the recursion limit to 100,000) plain
    json.loads of this body killed the process; the bounded one refuses it."""
    program = (
        "import sys, app.approvals.signing\n"
        "from integrations.http.responses import error_text\n"
        "from vault import bounded_json\n"
        "assert sys.getrecursionlimit() >= 100000\n"
        "try:\n"
        "    bounded_json.loads(b'[' * 200000)\n"
        "except bounded_json.JsonTooDeep:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "refused", done.stderr[-500:]
