"""The Dashboards section: the desk overview's tiles and the pyqtgraph charts."""
