"""Screening addresses: the normalised risk model (`risk`) and the offline
sanctions list (`sanctions`), the default provider that needs no key and no
network. Providers over HTTP map their answers to `risk.RiskResult` too."""
