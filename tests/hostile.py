"""Running code or the CLI on a hostile file in a child process, with its peak memory.

The peak is the child's own VmHWM (from /proc/self/status, read just before it
exits), not ru_maxrss, which counts the largest of all children ever waited for.
The child's address space is capped so a regression fails the test instead of
exhausting the machine it runs on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_WRAPPER = """
import json, resource, sys
cap = {cap}
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
sys.path.insert(0, {root!r})
code = 70
try:
{body}
finally:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    with open({out!r}, "w") as out:
        json.dump({{"peak_kib": peak, "code": code}}, out)
sys.exit(code)
"""


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: str
    stderr: str
    peak_mib: float


def run_child(body: str, tmp: Path, *, cap_mib: int = 2048, stdin: str = "") -> Finished:
    """Run `body` (Python setting `code`) in a fresh interpreter capped at `cap_mib`."""
    out = tmp / "child-peak.json"
    out.unlink(missing_ok=True)
    indented = "\n".join("    " + line for line in body.strip().splitlines())
    program = _WRAPPER.format(cap=cap_mib << 20, root=str(ROOT), body=indented, out=str(out))
    done = subprocess.run(
        [sys.executable, "-c", program],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    peak = json.loads(out.read_text())["peak_kib"] / 1024 if out.exists() else float("nan")
    return Finished(done.returncode, done.stdout, done.stderr, peak)


def run_cli(*args: str, tmp: Path, cap_mib: int = 2048, stdin: str = "") -> Finished:
    """`strongroom ARGS` as a user runs it, in a capped child."""
    body = f"import main\ncode = main.main({list(args)!r})"
    return run_child(body, tmp, cap_mib=cap_mib, stdin=stdin)
