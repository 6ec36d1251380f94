"""One customer's page: profile, addresses, notes, tasks, custom fields, history, actions."""
