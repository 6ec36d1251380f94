"""Explorer data kept for the dashboards: an address's balances and activity, and its
daily inflow/outflow, as the block explorers gave them (`integrations.explorers`).

`refresh_explorer` asks the chain's explorer and stores the answer; when the
explorer cannot be reached it queues the refresh in the outbox (kind
"explorer"), and `app.screening.batch.run_outbox` runs it later. The stored
figures are read back with their source and `fetched_at`, so a chart always
says how old it is and where it came from.

`fetch` blocks on the network (network pool); `store_answer` and the reads use
the vault (database worker). `refresh_explorer` and `refresh_many` fetch on the
calling thread and use the vault through `db` (`app.tasks.DbCalls` from a
network thread, so the database worker never waits on an explorer; `here` in
the CLI).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any, Protocol

from app.screening import shared
from app.screening.outbox import EXPLORER, Backoff, Outcome, queue
from app.screening.risk import utc_now
from app.tasks import Cancelled, OnDb, here
from integrations.explorers import AddressSummary, Balance, DailyFlow, Transfer, daily_flows
from integrations.explorers.base import Explorer
from integrations.explorers.models import TransferList
from integrations.http import AuthError, IntegrationError, QuotaError, TransientError
from vault.connection import Connection
from vault.screening import explorer as store
from vault.screening.explorer import FlowRow
from vault.store import Vault

#: recent transfers read per refresh: the window the daily flows are built from
TRANSFERS = 100


class ExplorerSource(Protocol):
    """What `refresh_explorer` needs of `integrations.explorers.Explorers`."""

    def for_chain(self, chain: str) -> Explorer: ...


@dataclass(frozen=True)
class ExplorerAnswer:
    """One refresh's worth of data about an address, before it is stored."""

    summary: AddressSummary
    transfers: tuple[Transfer, ...]
    flows: tuple[DailyFlow, ...]
    #: the transfer window was full, or the history was cut short: its oldest day may
    #: miss transfers
    truncated: bool
    #: why the explorer's history stopped before the window was full though it had more
    #: (e.g. "TronGrid sent an empty page with a cursor"); None when it did not
    cut_short: str | None = None


@dataclass(frozen=True)
class ExplorerRefresh:
    """What `refresh_explorer` did: stored an answer, or queued the refresh, or failed."""

    chain: str
    address: str
    answer: ExplorerAnswer | None
    queued: bool = False
    error: str | None = None
    #: queued because the explorer refused the key: it waits for a working one
    key_refused: bool = False


def explorer_key(chain: str, address: str) -> str:
    return f"{EXPLORER}:{chain}:{address}"


def fetch(
    explorers: ExplorerSource, chain: str, address: str, *, transfers: int = TRANSFERS
) -> ExplorerAnswer:
    """Summary and recent transfers from the chain's explorer. Network pool; raises
    `IntegrationError`s, and KeyError when no explorer is set up for the chain."""
    explorer = explorers.for_chain(chain)
    summary = explorer.summary(address)
    recent = explorer.transfers(address, limit=transfers)
    cut_short = recent.cut_short if isinstance(recent, TransferList) else None
    return ExplorerAnswer(
        summary=summary,
        transfers=tuple(recent),
        flows=tuple(daily_flows(recent)),
        truncated=len(recent) >= transfers or cut_short is not None,
        cut_short=cut_short,
    )


def store_answer(conn: Connection, answer: ExplorerAnswer) -> dict[str, Any]:
    """Write the summary (replacing this source's previous one) and the daily flows,
    inside the caller's transaction; returns what was written, for the event that
    lets the desk's other devices write the same (`app.screening.shared.explored`)."""
    summary = answer.summary
    row: dict[str, Any] = {
        "chain": summary.chain,
        "address": summary.address,
        "source": summary.source,
        "balances": [_balance(summary.native), *(_balance(t) for t in summary.tokens)],
        "tx_count": summary.tx_count,
        "nonce": summary.nonce,
        "first_seen": _when(summary.first_seen),
        "last_seen": _when(summary.last_seen),
        "fetched_at": summary.fetched_at.isoformat(),
        "raw": evidence(answer),
    }
    store.put_summary(conn, row)
    oldest = min((f.day for f in answer.flows), default=None)
    flows = [
        FlowRow(
            day=f.day.isoformat(),
            asset=f.asset.contract or "",
            symbol=f.asset.symbol,
            decimals=f.asset.decimals,
            inflow=f.inflow,
            outflow=f.outflow,
            transfers=f.transfers,
            complete=not (answer.truncated and f.day == oldest),
        )
        for f in answer.flows
    ]
    store.put_flows(
        conn,
        chain=summary.chain,
        address=summary.address,
        source=summary.source,
        fetched_at=summary.fetched_at.isoformat(),
        flows=flows,
    )
    return {"summary": row, "flows": [flow_json(f) for f in flows]}


def flow_json(flow: FlowRow) -> list[Any]:
    """A flow row as an event carries it (amounts as decimal text: they outgrow JSON's
    safe integers)."""
    return [flow.day, flow.asset, flow.symbol, flow.decimals, str(flow.inflow),
            str(flow.outflow), flow.transfers, flow.complete]  # fmt: skip


def refresh_explorer(
    vault: Vault,
    explorers: ExplorerSource,
    chain: str,
    address: str,
    *,
    now: datetime | None = None,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    db: OnDb = here,
) -> ExplorerRefresh:
    """Ask the explorer about an address and keep the answer; queue it when the
    explorer cannot be reached. The network calls block the calling thread; the
    vault is used through `db` only (see the module doc)."""
    try:
        answer = fetch(explorers, chain, address)
    except KeyError as exc:
        return ExplorerRefresh(chain, address, None, error=str(exc.args[0]) if exc.args else "")
    except IntegrationError as exc:
        outcome = explorer_outcome(exc)
        if not outcome.retry:
            return ExplorerRefresh(chain, address, None, error=outcome.error)

        db(lambda: _queue(vault, chain, address, now, outcome, backoff, rng))
        return ExplorerRefresh(
            chain, address, None, queued=True, error=outcome.error, key_refused=outcome.auth
        )
    except Exception as exc:  # an explorer bug must not end a batch: say so, store nothing
        error = f"the explorer failed unexpectedly ({type(exc).__name__})"
        return ExplorerRefresh(chain, address, None, error=error)

    def keep() -> None:
        with vault.transaction() as tx:
            shared.explored(tx, [store_answer(tx.conn, answer)])

    db(keep)
    return ExplorerRefresh(chain, address, answer)


def refresh_many(
    vault: Vault,
    explorers: ExplorerSource,
    pairs: Iterable[tuple[str, str]],
    *,
    on_result: Callable[[ExplorerRefresh], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    backoff: Backoff | None = None,
    db: OnDb = here,
) -> list[ExplorerRefresh]:
    """`refresh_explorer` for each address in turn (the explorers' rate limits pace
    them), each result reported as it is stored. Raises `Cancelled` once
    `cancelled()` turns true; what was stored stays."""
    done: list[ExplorerRefresh] = []
    for chain, address in pairs:
        if cancelled is not None and cancelled():
            raise Cancelled
        result = refresh_explorer(vault, explorers, chain, address, backoff=backoff, db=db)
        done.append(result)
        if on_result is not None:
            on_result(result)
    return done


def queue_refresh(vault: Vault, chain: str, address: str, *, now: datetime | None = None) -> bool:
    """Put a refresh in the outbox without trying it (asked for while offline); due at
    once. True if newly queued. Database worker."""
    return _queue(vault, chain, address, now, None)


def _queue(
    vault: Vault,
    chain: str,
    address: str,
    now: datetime | None,
    outcome: Outcome | None,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
) -> bool:
    with vault.transaction() as tx:
        return queue(
            tx.conn,
            kind=EXPLORER,
            key=explorer_key(chain, address),
            payload={"chain": chain, "address": address},
            now=now or utc_now(),
            outcome=outcome,
            backoff=backoff or Backoff(),
            rng=rng or random.Random(),
        )


def status_of(result: ExplorerRefresh) -> str:
    """'stored', 'queued' or 'error', for a status column or the CLI."""
    if result.answer is not None:
        return "stored"
    return "queued" if result.queued else "error"


def explorer_outcome(exc: IntegrationError) -> Outcome:
    """Whether a failed refresh waits in the outbox (unreachable, quota, key) or not."""
    text = str(exc)
    if isinstance(exc, TransientError | QuotaError):
        return Outcome(None, retry=True, error=text, retry_after=exc.retry_after)
    if isinstance(exc, AuthError):
        return Outcome(None, retry=True, error=text, auth=True)
    return Outcome(None, retry=False, error=text)


# --- reading, for the dashboards ---------------------------------------------


def summaries(conn: Connection, chain: str, address: str) -> list[dict[str, Any]]:
    """Each source's newest summary of the address (balances as ints), newest first, with
    `cut_short` (why its transfer history stopped early, or None) read from its evidence."""
    found = store.summaries(conn, chain, address)
    for summary in found:
        summary["cut_short"] = _cut_short(summary.get("raw"))
    return found


def _cut_short(raw: bytes | None) -> str | None:
    try:
        said = json.loads(raw or b"{}").get("cut_short")
    except (ValueError, AttributeError):  # evidence written before the field, or not JSON
        return None
    return said if isinstance(said, str) else None


def flows(
    conn: Connection,
    chain: str,
    address: str,
    *,
    since: date | None = None,
    assets: Sequence[str] | None = None,
) -> list[FlowRow]:
    """The daily series, oldest day first; `assets` are contracts ('' for native)."""
    return store.flows(
        conn,
        chain,
        address,
        since=None if since is None else since.isoformat(),
        assets=assets,
    )


def _balance(balance: Balance) -> dict[str, Any]:
    asset = balance.asset
    return {
        "symbol": asset.symbol,
        "contract": asset.contract,
        "decimals": asset.decimals,
        "amount": balance.amount,
        "pending": balance.pending,
    }


def _when(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def evidence(answer: ExplorerAnswer) -> bytes:
    """The normalised answer as JSON (amounts as exact integers, times as ISO): what the
    explorer said, kept as evidence beside the figures drawn from it."""
    body = {
        "summary": asdict(answer.summary),
        "transfers": [asdict(t) for t in answer.transfers],
        "cut_short": answer.cut_short,
    }
    return json.dumps(body, default=_plain, sort_keys=True).encode()


def _plain(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
