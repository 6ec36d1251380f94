"""The Dashboards' use cases: the desk overview's tiles and the charts' series, as pure
functions of a connection (run on the database worker), plus their CSV form."""
