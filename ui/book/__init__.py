"""The customer book's screens: customers, wallets, conflicts, a customer's page, import/export."""
