"""SQL behind the Dashboards section: the desk overview's counts, the charts' daily
series and the subsets a tile opens. Plain values in and out."""
