"""The "Record review" dialog: the policy's checklist (yes, no or n/a each), an
outcome, and Record, which signs the review with the member's key on the database
worker. Opened from a customer's page and from the Reviews list. GUI thread."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.reviews.policy import ANSWERS, Question, ReviewPolicy
from app.reviews.service import RecordedReview
from ui.book.widgets import error_label, show_text
from ui.errors import describe, log
from ui.naming import named
from ui.reviews.context import ReviewsContext


class RecordReviewDialog(QDialog):
    #: the review recorded (its id)
    recorded = Signal(str)

    def __init__(
        self, context: ReviewsContext, external_id: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordReviewDialog")
        self.setWindowTitle(self.tr("Record review"))
        self.context = context
        self.external_id = external_id
        self.answers: dict[str, QComboBox] = {}
        heading = named(
            QLabel(self.tr("<b>Review of {} ({})</b>").format(name, external_id)), "reviewHeading"
        )
        heading.setWordWrap(True)
        # A grid rather than a form: the questions take every width the answers leave.
        self.form = QGridLayout()
        self.form.setColumnStretch(0, 1)
        self.loading = QLabel(self.tr("Reading the checklist…"))
        self.form.addWidget(self.loading, 0, 0, 1, 2)
        self.outcome = named(QPlainTextEdit(), "reviewOutcome")
        self.outcome.setPlaceholderText(
            self.tr("What the review concluded, e.g. no change; new passport requested")
        )
        self.outcome.setMaximumHeight(90)
        self.error = error_label("reviewError")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.record_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.record_button.setText(self.tr("Record and sign"))
        self.record_button.setEnabled(False)
        self.buttons.accepted.connect(self.record)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(self.form)
        layout.addWidget(QLabel(self.tr("Outcome")))
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(560, 480)
        context.ask(
            self, lambda s: s.policy(), on_success=self._show_checklist, on_failure=self._failed
        )

    def _show_checklist(self, policy: ReviewPolicy) -> None:
        self.loading.hide()
        for row, question in enumerate(policy.checklist, start=1):
            self.form.addWidget(self._question_label(question), row, 0)
            self.form.addWidget(self._answer_box(question), row, 1)
        self.record_button.setEnabled(True)

    def _question_label(self, question: Question) -> QLabel:
        label = QLabel(question.question)
        label.setWordWrap(True)
        return label

    def _answer_box(self, question: Question) -> QComboBox:
        box = named(QComboBox(), f"answer_{question.id}")
        box.setFixedWidth(160)  # the questions take the rest of the width
        box.addItem(self.tr("— choose —"), "")
        labels = {"yes": self.tr("Yes"), "no": self.tr("No"), "n/a": self.tr("Not applicable")}
        for answer in ANSWERS:
            box.addItem(labels[answer], answer)
        self.answers[question.id] = box
        return box

    def record(self) -> None:
        missing = [key for key, box in self.answers.items() if not box.currentData()]
        if missing:
            show_text(self.error, self.tr("Answer every question of the checklist."))
            return
        outcome = self.outcome.toPlainText().strip()
        if not outcome:
            show_text(self.error, self.tr("Say what the review concluded (the outcome)."))
            return
        answers = {key: str(box.currentData()) for key, box in self.answers.items()}
        self.record_button.setEnabled(False)
        external_id = self.external_id
        self.context.write(
            self,
            lambda s, _p: s.record(external_id, outcome=outcome, answers=answers),
            on_success=self._recorded,
            on_failure=self._failed,
        )

    def _recorded(self, review: RecordedReview) -> None:
        self.recorded.emit(review.row.uid)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        log(error, debug=self.context.debug)
        show_text(self.error, describe(error))
        self.record_button.setEnabled(bool(self.answers))
