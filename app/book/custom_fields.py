"""Custom fields per vault, defined in the UI or a YAML file; values are validated by type.

fields:
  - name: whitelist_limit
    label: Whitelist limit
    type: number
  - name: contract_risk
    label: Contract risk rating
    type: choice
    choices: [low, medium, high]
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from app import bounded_yaml
from app.addresses import CHAINS, AddressError, normalize
from app.book.models import ValidationError
from app.book.service import CustomerBook
from vault.book import customers

TYPES = ("text", "number", "date", "choice", "bool", "address")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str
    choices: tuple[str, ...] = ()


def _check(definition: FieldDef) -> FieldDef:
    if not _NAME.match(definition.name):
        raise ValidationError(
            "name", f"'{definition.name[:50]}' must be lowercase letters, digits and _"
        )
    if definition.type not in TYPES:
        raise ValidationError("type", f"'{definition.type}' is not one of {', '.join(TYPES)}")
    if definition.type == "choice" and not definition.choices:
        raise ValidationError("choices", "a choice field needs at least one choice")
    return FieldDef(
        definition.name,
        definition.label.strip() or definition.name,
        definition.type,
        tuple(c.strip() for c in definition.choices if c.strip()),
    )


def fields(book: CustomerBook) -> list[FieldDef]:
    return [
        FieldDef(n, lbl, t, tuple(json.loads(c)) if c else ())
        for n, lbl, t, c in book.vault.conn.execute(
            "SELECT name, label, type, choices FROM custom_fields ORDER BY position, id"
        )
    ]


def define(book: CustomerBook, definition: FieldDef) -> bool:
    """Add a field, or update its label and choices; False when nothing changed."""
    field = _check(definition)
    existing = {f.name: f for f in fields(book)}
    if existing.get(field.name) == field:
        return False
    old = existing.get(field.name)
    if old is not None and old.type != field.type:
        raise ValidationError("type", f"'{field.name}' already exists as a {old.type} field")
    choices = json.dumps(list(field.choices)) if field.choices else None
    with book.vault.transaction() as tx:
        tx.execute(
            "INSERT INTO custom_fields (name, label, type, choices, position) VALUES "
            "(?, ?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM custom_fields)) "
            "ON CONFLICT (name) DO UPDATE SET label = excluded.label, choices = excluded.choices",
            (field.name, field.label, field.type, choices),
        )
        tx.event(
            "custom_field.defined",
            {
                "name": field.name,
                "label": field.label,
                "type": field.type,
                "choices": list(field.choices),
            },
        )
    return True


def clean_value(field: FieldDef, raw: object) -> str | None:
    """The stored text of a value, or ValidationError naming the field."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    kind = field.type
    if kind == "number":
        try:
            float(text.replace(",", ""))
        except ValueError:
            raise ValidationError(field.name, f"'{text[:20]}' is not a number") from None
        return text.replace(",", "")
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValidationError(field.name, f"'{text[:20]}' is not a date (YYYY-MM-DD)") from None
    if kind == "choice":
        if text not in field.choices:
            raise ValidationError(
                field.name, f"'{text[:20]}' is not one of {', '.join(field.choices)}"
            )
        return text
    if kind == "bool":
        lowered = text.lower()
        if lowered in ("yes", "true", "1", "y"):
            return "yes"
        if lowered in ("no", "false", "0", "n"):
            return "no"
        raise ValidationError(field.name, "answer yes or no")
    if kind == "address":
        chain, _, address = text.partition(":")
        if chain not in CHAINS or not address:
            raise ValidationError(field.name, "write an address as chain:address")
        try:
            return f"{chain}:{normalize(chain, address)}"
        except AddressError as exc:
            raise ValidationError(field.name, exc.reason) from None
    return text[:4000]


def set_value(book: CustomerBook, customer_id: int, name: str, raw: object) -> bool:
    by_name = {f.name: f for f in fields(book)}
    field = by_name.get(name)
    if field is None:
        raise ValidationError("field", f"no custom field named '{name[:50]}'")
    value = clean_value(field, raw)
    with book.vault.transaction() as tx:
        row = tx.execute(
            "SELECT v.value, f.id FROM custom_fields f LEFT JOIN custom_values v "
            "ON v.field_id = f.id AND v.customer_id = ? WHERE f.name = ?",
            (customer_id, name),
        ).fetchone()
        old, field_id = row[0], int(row[1])
        if old == value:
            return False
        if value is None:
            tx.execute(
                "DELETE FROM custom_values WHERE customer_id = ? AND field_id = ?",
                (customer_id, field_id),
            )
        else:
            tx.execute(
                "INSERT INTO custom_values (customer_id, field_id, value) VALUES (?, ?, ?) "
                "ON CONFLICT (customer_id, field_id) DO UPDATE SET value = excluded.value",
                (customer_id, field_id, value),
            )
        customers.reindex(tx.conn, customer_id)
        tx.event(
            "custom_value.set",
            {
                "customer": book.uid_of(tx, customer_id),
                "field": name,
                "old": book.seal(customer_id, {"body": old}),
                "new": book.seal(customer_id, {"body": value}),
            },
        )
    return True


def to_yaml(book: CustomerBook) -> str:
    doc = {
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                **({"choices": list(f.choices)} if f.choices else {}),
            }
            for f in fields(book)
        ]
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


def from_yaml_file(book: CustomerBook, path: Path) -> int:
    """`from_yaml` of a file, refused before it is read whole if it is too big."""
    try:
        text = bounded_yaml.read_file(path)
    except bounded_yaml.YamlInputError as exc:
        raise ValidationError("yaml", str(exc)) from None
    except OSError as exc:
        raise ValidationError("yaml", f"the file cannot be read ({exc.strerror})") from None
    return from_yaml(book, text)


def from_yaml(book: CustomerBook, text: str) -> int:
    """Define every field of a YAML file; returns how many were added or changed."""
    try:
        doc = bounded_yaml.load(text)
    except bounded_yaml.YamlInputError as exc:
        raise ValidationError("yaml", str(exc)) from None
    items = doc.get("fields") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise ValidationError("yaml", "expected a top-level 'fields:' list")
    definitions = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or "name" not in item or "type" not in item:
            raise ValidationError("yaml", f"field {i} needs a name and a type")
        choices = item.get("choices") or []
        texts = [item["name"], item["type"], item.get("label", "")]
        if not isinstance(choices, list) or not all(isinstance(t, str) for t in texts + choices):
            raise ValidationError("yaml", f"field {i}: name, label, type and choices are text")
        definitions.append(
            _check(
                FieldDef(
                    str(item["name"]),
                    str(item.get("label", item["name"])),
                    str(item["type"]),
                    tuple(str(c) for c in item.get("choices") or ()),
                )
            )
        )
    return sum(define(book, d) for d in definitions)
