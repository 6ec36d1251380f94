"""Prices of assets in the desk's reference currency, and what a request is worth.

`quotes` holds the plain types (a stored price, a valuation), `csv_file` reads a
price file, `valuation` is the pure rule that turns an amount and a price into a
value (or "no fresh price"), and `book` imports into and reads from the vault.
"""
