"""The customer book: customers, contacts, wallet addresses, conflicts, search."""
