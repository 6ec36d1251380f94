"""Approve, reject or comment on a set of requests with one reason, then see what was refused.

The dialog is the confirmation: it names how many requests and what they
are, asks for the reason (Enter confirms) and runs on the database worker
with a progress bar and Stop. Refusals (four eyes, no role, already final)
are listed with their reasons; the dialog closes by itself when there are
none. Approving first asks which of the requests the risk gate blocks: a block
is a block, so the dialog says so and why before anything is signed, and will
not approve a selection that is blocked throughout. GUI thread only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCompleter,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QWidget,
)

from app.approvals.model import ApprovalError, Blocked, DecideOutcome, QueueFilter, Verdict
from app.approvals.service import ApprovalService
from app.tasks import Handle, Progress
from ui.approvals.context import ApprovalsContext
from ui.book.widgets import ERROR_STYLE, ErrorForm, hint, show_text
from ui.naming import named
from ui.worker_dialog import WorkerDialog

VERBS = {"approve": "Approve", "reject": "Reject", "comment": "Comment on"}
DONE = {"approve": "Approved", "reject": "Rejected", "comment": "Commented on"}
COMMON_REASONS = {
    "approve": ("Checked: evidence complete", "Address verified with the customer"),
    "reject": (
        "Invalid address",
        "Duplicate request",
        "Created by mistake",
        "Customer could not verify ownership",
        "Risk too high",
    ),
    "comment": ("Waiting for the customer", "Screen again before deciding"),
}


@dataclass(frozen=True)
class Selection:
    """What to decide: given ids, or every request matching a filter (not all loaded)."""

    ids: tuple[str, ...]
    count: int
    #: when set, the ids are read again from the service (filter, sort, descending)
    matching: tuple[QueueFilter, str, bool] | None = None
    #: a few lines naming the first requests, for the confirmation
    preview: tuple[str, ...] = ()
    #: request id -> one line naming it, for the requests the view has loaded
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, request_id: str) -> str:
        return self.labels.get(request_id) or f"request …{request_id[-12:]}"

    def resolve(self, service: ApprovalService) -> list[str]:
        """The ids to decide. A filtered set is read again, so it must still be the set
        the user chose: if requests came or went meanwhile, nothing is decided."""
        if self.matching is None:
            return list(self.ids)
        flt, sort, descending = self.matching
        now = service.count(flt)
        if now != self.count:
            raise ApprovalError(
                f"The queue changed since the requests were selected ({self.count:,} then, "
                f"{now:,} now). Nothing was decided: select them again."
            )
        return [r.id for r in service.page(flt, sort, descending, 0, self.count)]

    def blocked(self, service: ApprovalService) -> Blocked:
        """Which of the requests the risk gate blocks (database worker)."""
        if self.matching is None:
            return service.blocked(self.ids)
        return service.blocked_matching(self.matching[0])


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class DecideDialog(WorkerDialog):
    #: the outcomes, once the batch ran (also when some were refused)
    decided = Signal(object)

    def __init__(
        self,
        context: ApprovalsContext,
        verdict: Verdict,
        selection: Selection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(context.services, parent)
        self.setObjectName("decideDialog")
        self.context = context
        self.verdict: Verdict = verdict
        self.selection = selection
        self.outcomes: list[DecideOutcome] = []
        #: the blocked requests among the selection; None until known (approving only)
        self.blocked: Blocked | None = None if verdict == "approve" else Blocked(0)
        self._stopping = threading.Event()
        what = plural(selection.count, "request")
        self.setWindowTitle(f"{VERBS[verdict]} {what}")

        self.headline = named(QLabel(f"<b>{VERBS[verdict]} {what}?</b>"), "decideHeadline")
        preview = list(selection.preview[:5])
        if selection.count > len(preview) and preview:
            preview.append(f"… and {selection.count - len(preview):,} more")
        self.preview = named(hint("\n".join(preview)), "decidePreview")
        self.reason = named(QLineEdit(), "decideReason")
        self.reason.setProperty("lockWhileBusy", True)
        self.reason.setPlaceholderText("Why — recorded and signed with each decision")
        completer = QCompleter(list(COMMON_REASONS[verdict]), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.reason.setCompleter(completer)
        self.blocked_note = named(QLabel(), "decideBlocked")
        self.blocked_note.setWordWrap(True)
        self.blocked_note.setStyleSheet(ERROR_STYLE)
        self.blocked_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.blocked_note.hide()
        self.form = ErrorForm()
        self.form.add("reason", "Reason *", self.reason)
        self.signing = hint(
            "Each decision is signed with your key. It counts here at once and is marked "
            "“local — not yet shared” until sync sends it to the desk."
        )
        self.progress = named(QProgressBar(), "decideProgress")
        self.progress.setFormat("%v of %m")
        self.progress.hide()
        self.stop_button = named(QPushButton("Stop"), "decideStop")
        self.stop_button.setToolTip("Stop after the batch under way; what is done stays done")
        self.stop_button.clicked.connect(self.stop)
        self.buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.stop_button.hide()  # only while the batch runs
        self.result_label = named(QLabel(), "decideResult")
        self.result_label.setWordWrap(True)
        self.result_label.hide()
        self.refused = named(QListWidget(), "refusedList")
        self.refused.setWordWrap(True)
        self.refused.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.refused.setMinimumWidth(520)
        self.refused.hide()

        self.body.addWidget(self.headline)
        self.body.addWidget(self.preview)
        self.body.addWidget(self.blocked_note)
        self.body.addLayout(self.form)
        self.body.addWidget(self.form.general)
        self.body.addWidget(self.signing)
        self.body.addWidget(self.progress)
        self.body.addWidget(self.result_label)
        self.body.addWidget(self.refused)
        self.set_ok_text(f"{VERBS[verdict].split()[0]} {selection.count:,}")
        self.reason.textChanged.connect(self.update_ok)
        self.update_ok()
        self.reason.setFocus()
        if self.blocked is None:
            context.call(
                self,
                selection.blocked,
                on_success=self._show_blocked,
                on_failure=self.form.show_error,
            )

    def can_submit(self) -> bool:
        if self.outcomes:
            return False
        # Not waiting for the check: the service refuses a blocked approval anyway.
        if self.blocked is not None and self.blocked.count >= self.selection.count > 0:
            return False  # nothing here may be approved
        return bool(self.reason.text().strip())

    def _show_blocked(self, blocked: Blocked) -> None:
        self.blocked = blocked
        self.update_ok()
        if not blocked.count:
            return
        first, why = blocked.reasons[0] if blocked.reasons else ("", "")
        example = f"{self.selection.label(first)} — {why}" if first else ""
        if blocked.count >= self.selection.count == 1:
            text = self.tr(
                "<b>Blocked.</b> {example}.<br>A block is a block: approving it is refused. "
                "It can only be rejected (Cancel, then Ctrl+R), or approved once a new "
                "screening lifts the block."
            ).format(example=escape(example))
        elif blocked.count >= self.selection.count:
            text = self.tr(
                "<b>All {count} requests are blocked</b> by the risk gate, e.g. {example}."
                "<br>A block is a block: approving them is refused. They can only be rejected "
                "(Cancel, then Ctrl+R)."
            ).format(count=f"{blocked.count:,}", example=escape(example))
        else:
            text = self.tr(
                "<b>{count} of {total} requests are blocked</b> by the risk gate, e.g. "
                "{example}.<br>A block is a block: those are refused, the others approved."
            ).format(
                count=f"{blocked.count:,}",
                total=f"{self.selection.count:,}",
                example=escape(example),
            )
        show_text(self.blocked_note, text)
        self.adjustSize()

    def submit(self) -> None:
        self.form.clear_errors()
        verdict, reason, selection = self.verdict, self.reason.text().strip(), self.selection

        # Stop is a flag the service reads between batches, not a cancelled future: a
        # batch not started yet still runs (deciding nothing) and reports back.
        stopping = self._stopping

        def work(service: ApprovalService, p: Progress) -> list[DecideOutcome]:
            ids = selection.resolve(service)
            return service.decide_many(
                ids,
                verdict,
                reason,
                progress=lambda done, total: p("Deciding", done, total),
                cancelled=stopping.is_set,
            )

        self.progress.setRange(0, max(1, selection.count))
        self.progress.setValue(0)
        self.progress.show()
        self.stop_button.show()
        self.stop_button.setEnabled(True)
        context = self.context

        def launch(
            success: Callable[[list[DecideOutcome]], None],
            failure: Callable[[BaseException], None],
        ) -> Handle:
            return context.write(
                self, work, on_success=success, on_failure=failure, on_progress=self._progressed
            )

        self.start(launch, on_success=self._finished, on_failure=self._failed)

    def stop(self) -> None:
        """Stop after the batch under way; what is decided stays decided."""
        if self.busy:
            self._stopping.set()
            self.stop_button.setEnabled(False)
            self.stop_button.setText("Stopping…")

    def _progressed(self, _phase: str, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _failed(self, error: BaseException) -> None:
        self.stop_button.hide()
        self.progress.hide()
        self.form.show_error(error)

    def _finished(self, outcomes: Sequence[DecideOutcome]) -> None:
        self.outcomes = list(outcomes)
        self.stop_button.hide()
        self.decided.emit(self.outcomes)
        refused = [o for o in self.outcomes if not o.ok]
        stopped = self._stopping.is_set() and len(self.outcomes) < self.selection.count
        if not refused and not stopped:
            self.accept()
            return
        self.progress.hide()
        done = len(self.outcomes) - len(refused)
        text = f"{DONE[self.verdict]} {plural(done, 'request')}."
        if refused:
            text += f" {plural(len(refused), 'request')} refused:"
        if stopped:
            text += f" Stopped; {self.selection.count - len(self.outcomes):,} not decided."
        show_text(self.result_label, text)
        for outcome in refused:
            item = QListWidgetItem(
                f"{outcome.message}\n    {self.selection.label(outcome.request_id)}"
            )
            item.setToolTip(outcome.request_id)
            self.refused.addItem(item)
        self.refused.setVisible(bool(refused))
        self.reason.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).hide()
        close = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        close.setText("Close")
        close.setFocus()
