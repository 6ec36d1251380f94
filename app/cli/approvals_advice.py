"""What to do about a refused decision, as commands to type (`approvals decide`).

The refusal itself says why (app.approvals.decisions); this adds the next step
for someone at a shell: the exact command, with this vault's path.
"""

from __future__ import annotations

import shlex

from app.approvals.model import DecideOutcome
from app.approvals.service import ApprovalService


def advice(outcome: DecideOutcome, service: ApprovalService, vault: str) -> list[str]:
    """Lines to print after the refusal; none when there is nothing to suggest."""
    path = shlex.quote(vault)
    if outcome.refusal == "no_role":
        return _no_role(outcome, service, path)
    if outcome.refusal == "four_eyes":
        return [
            "Four eyes: whoever made a request cannot approve it; another member must. "
            + _second_member(service, path)
        ]
    if outcome.refusal == "blocked":
        return [
            "A block is a block: approvals do not lift it. Reject the request:",
            f"  strongroom approvals decide {outcome.request_id} reject --reason TEXT "
            f"--vault {path}",
            "or screen the address again if its risk has changed "
            "(strongroom screen --address CHAIN:ADDR --refresh).",
        ]
    return []


def _no_role(outcome: DecideOutcome, service: ApprovalService, path: str) -> list[str]:
    me = service.me()
    kind = service.detail(outcome.request_id).row.kind
    deciders = sorted(service.policy().kinds[kind].decide)
    role = "officer" if "officer" in deciders else deciders[0]
    grant = (
        f"  strongroom approvals members grant {shlex.quote(me.name)} --role {role} --vault {path}"
    )
    if "admin" in me.roles:
        mine = f" --as {shlex.quote(me.name)}" if service.acting_as is not None else ""
        lines = [f"To decide it yourself, grant yourself a deciding role ({role}):", grant + mine]
    else:
        lines = [f"Ask an admin to grant you a deciding role ({role}):", grant + " --as ADMIN"]
    lines.append(
        "Four eyes: whoever made a request cannot approve it, so approving needs a second "
        "member. " + _second_member(service, path)
    )
    return lines


def _second_member(service: ApprovalService, path: str) -> str:
    others = [m.name for m in service.members() if not m.is_me]
    if others:
        return (
            f"Decide as one kept in this vault with --as NAME ({', '.join(others[:5])}), "
            "or on their own device once sync exists."
        )
    return (
        "Add one with `strongroom approvals members add NAME --role officer "
        f"--vault {path}` (then decide with --as NAME), or invite a colleague's "
        "device to the desk once sync exists."
    )
