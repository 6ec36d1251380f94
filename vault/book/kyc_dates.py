"""A customer's KYC dates: when its KYC status last changed and when its KYC expires.

Plain columns of `customers`, outside the customer record the book's events diff
(`customers.COLUMNS`). The KYC status's date travels in the `customer.updated`
event that changed the status (as `kyc_updated_at`); the expiry, set on its own,
with its own event, `customer.kyc_dates_set`. So sync sets the same dates on every
device.
"""

from __future__ import annotations

from collections.abc import Mapping

from vault.connection import Connection

EVENT = "customer.kyc_dates_set"
UPDATED = "kyc_updated_at"
FIELDS = (UPDATED, "kyc_expires_at")


def set_dates(conn: Connection, customer_id: int, dates: Mapping[str, str | None]) -> None:
    for name in FIELDS:
        if name in dates:
            conn.execute(
                # the column name is one of FIELDS
                f"UPDATE customers SET {name} = ? WHERE id = ?",  # nosec B608
                (dates[name], customer_id),
            )
