"""Column mappings: which file column feeds which field, saved as YAML profiles.

kind: addresses            # customers | addresses
encoding: gbk              # optional; detected otherwise
delimiter: ";"             # optional; detected otherwise
columns:                   # field: header in the file
  customer_external_id: Client ID
  chain: Network
  address: Wallet
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from vault.atomic import write_atomic

FIELDS = {
    "customers": (
        "external_id",
        "name",
        "legal_name",
        "kind",
        "country",
        "email",
        "phone",
        "tags",
        "owner",
        "kyc_status",
        "risk_rating",
        "risk_reason",
    ),
    "addresses": ("customer_external_id", "chain", "address", "label", "evidence"),
}
REQUIRED = {"customers": ("name",), "addresses": ("customer_external_id", "chain", "address")}


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class Mapping:
    kind: str
    columns: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None

    def resolve(self, headers: list[str]) -> dict[str, int]:
        """Field → column index. Unmapped fields are matched by header name, any case;
        a field mapped to "" (or null in YAML) is left out even if a column has its name."""
        by_name = {h.strip().lower(): i for i, h in reversed(list(enumerate(headers)))}
        resolved: dict[str, int] = {}
        for name in FIELDS[self.kind]:
            header = self.columns.get(name, name)
            if not header:
                continue
            index = by_name.get(header.strip().lower())
            if index is not None:
                resolved[name] = index
            elif name in self.columns:
                raise MappingError(
                    f"the mapping names column '{header}' for {name}, not in the file"
                )
        missing = [f for f in REQUIRED[self.kind] if f not in resolved]
        if missing:
            raise MappingError(
                f"no column for {', '.join(missing)} (headers: {', '.join(headers[:12])})"
            )
        return resolved

    def to_yaml(self) -> str:
        doc: dict[str, object] = {"kind": self.kind, "columns": dict(self.columns)}
        if self.encoding:
            doc["encoding"] = self.encoding
        if self.delimiter:
            doc["delimiter"] = self.delimiter
        return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)

    def save(self, path: Path) -> None:
        write_atomic(path, self.to_yaml().encode())


def load(path: Path, *, kind: str | None = None) -> Mapping:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MappingError(f"the mapping {path} cannot be read: {exc}") from None
    if not isinstance(doc, dict):
        raise MappingError(f"the mapping {path} is not a YAML mapping")
    found = str(doc.get("kind", kind or ""))
    if found not in FIELDS or (kind and found != kind):
        raise MappingError(f"the mapping {path} is for '{found}', not '{kind}'")
    columns = doc.get("columns") or {}
    if not isinstance(columns, dict) or any(k not in FIELDS[found] for k in columns):
        raise MappingError(
            f"the mapping {path} names unknown fields; known: {', '.join(FIELDS[found])}"
        )
    return Mapping(
        kind=found,
        columns={str(k): "" if v is None else str(v) for k, v in columns.items()},
        encoding=doc.get("encoding"),
        delimiter=doc.get("delimiter"),
    )
