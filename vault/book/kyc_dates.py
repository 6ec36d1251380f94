"""A customer's KYC dates: when its KYC status last changed and when its KYC expires.

Plain columns of `customers`, outside the customer record the book's events diff
(`customers.COLUMNS`): they change with their own event, `customer.kyc_dates_set`,
which carries only what changed, so sync sets the same dates on every device.
"""

from __future__ import annotations

from collections.abc import Mapping

from vault.connection import Connection

EVENT = "customer.kyc_dates_set"
FIELDS = ("kyc_updated_at", "kyc_expires_at")


def set_dates(conn: Connection, customer_id: int, dates: Mapping[str, str | None]) -> None:
    for name in FIELDS:
        if name in dates:
            conn.execute(
                # the column name is one of FIELDS
                f"UPDATE customers SET {name} = ? WHERE id = ?",  # nosec B608
                (dates[name], customer_id),
            )
