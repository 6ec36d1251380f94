"""The Alerts section: the inbox, its badge, and the rules' runs."""
