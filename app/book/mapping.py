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

import codecs
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from app import bounded_yaml
from app.excerpt import excerpt
from vault.atomic import write_atomic

#: a mapping names a dozen columns; nothing near this is needed
MAX_BYTES = 64 * 1024

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
                    f"the mapping names column '{excerpt(header)}' for {name}, not in the file"
                )
        missing = [f for f in REQUIRED[self.kind] if f not in resolved]
        if missing:
            shown = excerpt(", ".join(excerpt(h, 30) for h in headers[:12]), 200)
            raise MappingError(f"no column for {', '.join(missing)} (headers: {shown})")
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
    """A mapping profile, its size, shape and every value's type checked (MappingError
    names the line and column of a bad value)."""
    try:
        root = bounded_yaml.compose(bounded_yaml.read_file(path, limit=MAX_BYTES))
        return _from_node(root, kind)
    except OSError as exc:
        raise MappingError(f"the mapping {path} cannot be read: {exc.strerror}") from None
    except bounded_yaml.YamlInputError as exc:
        raise MappingError(f"the mapping {path}, {exc}") from None


def _from_node(root: yaml.Node | None, kind: str | None) -> Mapping:
    if root is None:
        bounded_yaml.fail(None, "the mapping is empty")
    top = bounded_yaml.fields(root, "the mapping")
    unknown = sorted(set(top) - {"kind", "columns", "encoding", "delimiter"})
    if unknown:
        bounded_yaml.fail(root, f"unknown key '{excerpt(unknown[0])}'")
    found = kind or ""
    if "kind" in top:
        found = bounded_yaml.text(top["kind"], "kind")
    if found not in FIELDS or (kind and found != kind):
        where = top.get("kind", root)
        bounded_yaml.fail(where, f"the mapping is for '{excerpt(found)}', not '{kind}'")
    columns: dict[str, str] = {}
    if "columns" in top and not bounded_yaml.is_null(top["columns"]):
        for name, node in bounded_yaml.fields(top["columns"], "columns").items():
            if name not in FIELDS[found]:
                bounded_yaml.fail(
                    node, f"unknown field '{excerpt(name)}'; known: {', '.join(FIELDS[found])}"
                )
            columns[name] = "" if bounded_yaml.is_null(node) else bounded_yaml.text(node, name)
    return Mapping(
        kind=found,
        columns=columns,
        encoding=_encoding(top.get("encoding")),
        delimiter=_delimiter(top.get("delimiter")),
    )


def _encoding(node: yaml.Node | None) -> str | None:
    if node is None or bounded_yaml.is_null(node):
        return None
    name = bounded_yaml.text(node, "encoding", max_length=40)
    try:
        codecs.lookup(name)
    except LookupError:
        bounded_yaml.fail(node, f"'{excerpt(name)}' is not an encoding Python knows")
    return name


def _delimiter(node: yaml.Node | None) -> str | None:
    if node is None or bounded_yaml.is_null(node):
        return None
    sep = bounded_yaml.text(node, "delimiter", max_length=40)
    if len(sep) != 1 or sep in '\r\n"':
        bounded_yaml.fail(node, "delimiter must be one character (not a quote or a line break)")
    return sep
