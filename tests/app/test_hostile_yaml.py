"""YAML from outside (mappings, the policy, custom fields) is refused when it expands past a
sane size or holds a value of the wrong type: a clear message with line and column, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import bounded_yaml
from app.approvals.policy import PolicyError, parse
from app.book import mapping
from app.book.mapping import MappingError
from tests.hostile import run_child, run_cli


def laughs(levels: int = 9) -> str:
    """The "billion laughs": each level an anchor naming nine aliases of the one before."""
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ",".join([f"*l{n - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_mapping_is_refused_by_the_cli(tmp_path: Path) -> None:
    mapping = tmp_path / "laughs.yaml"
    mapping.write_text("kind: customers\n" + laughs() + "columns:\n  name: *l8\n")
    assert mapping.stat().st_size < 1000
    (tmp_path / "people.csv").write_text("name\nAda\n")
    done = run_cli(
        "import", "customers", str(tmp_path / "people.csv"), "--vault", str(tmp_path / "v"),
        "--mapping", str(mapping), tmp=tmp_path,
    )  # fmt: skip
    assert done.code == 2, (done.code, done.stderr[-500:])
    assert "laughs.yaml, line " in done.stderr and "expands to more than" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr) < 400
    assert done.peak_mib < 200, done.peak_mib


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("encoding: 5\n", "line 2, column 11: encoding must be text, not a number"),
        ("delimiter: ab\n", "line 2, column 12: delimiter must be one character"),
        ("encoding: klingon\n", "line 2, column 11: 'klingon' is not an encoding"),
        ("columns: [name]\n", "line 2, column 10: columns must be a mapping"),
        ("columns:\n  name: [a, b]\n", "line 3, column 9: name must be text, not a list"),
        ("columns:\n  nmae: Full name\n", "line 3, column 9: unknown field 'nmae'"),
        ("x: &a [*a]\n", "line 2, column 4: refers to itself"),
        ("kind: addresses\n", "line 1, column 7: the mapping is for 'addresses'"),
    ],
)
def test_a_mapping_value_of_the_wrong_type_names_its_line(
    tmp_path: Path, body: str, said: str
) -> None:
    path = tmp_path / "bad.yaml"
    first = "" if body.startswith("kind") else "kind: customers\n"
    path.write_text(first + body)
    with pytest.raises(MappingError) as caught:
        mapping.load(path, kind="customers")
    assert said in str(caught.value)


def test_the_cli_says_where_a_mapping_value_is_wrong(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("kind: customers\nencoding: 5\n")
    (tmp_path / "people.csv").write_text("name\nAda\n")
    done = run_cli(
        "import", "customers", str(tmp_path / "people.csv"), "--vault", str(tmp_path / "v"),
        "--mapping", str(path), tmp=tmp_path,
    )  # fmt: skip
    assert done.code == 2, (done.code, done.stderr)
    assert "bad.yaml, line 2, column 11: encoding must be text, not a number" in done.stderr
    assert "Traceback" not in done.stderr and "Error" not in done.stderr


def test_a_mapping_file_too_big_is_refused_before_it_is_read(tmp_path: Path) -> None:
    mapping = tmp_path / "big.yaml"
    with mapping.open("w") as out:
        out.write("kind: customers\n# " + "x" * (8 << 20) + "\n")
    (tmp_path / "people.csv").write_text("name\nAda\n")
    done = run_cli(
        "import", "customers", str(tmp_path / "people.csv"), "--vault", str(tmp_path / "v"),
        "--mapping", str(mapping), tmp=tmp_path,
    )  # fmt: skip
    assert done.code == 2
    assert "longer than 64 KiB" in done.stderr


def test_the_policy_and_custom_fields_refuse_an_alias_tree(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        parse(laughs() + "version: 1\nroles: *l8\n")
    assert caught.value.line > 1 and "expands" in caught.value.message
    fields = laughs() + "fields:\n  - name: a\n    type: text\n    label: *l8\n"
    body = f"""
from app.book import custom_fields
from app.book.models import ValidationError
text = {fields!r}
try:
    custom_fields.from_yaml(None, text)
except ValidationError as exc:
    print(exc.reason)
    code = 2
"""
    done = run_child(body, tmp_path)
    assert done.code == 2, done.stderr[-500:]
    assert "expands to more than" in done.stdout
    assert done.peak_mib < 200


def test_deep_nesting_and_small_aliases() -> None:
    with pytest.raises(bounded_yaml.YamlInputError, match="nested more than"):
        bounded_yaml.compose("[" * 2000 + "]" * 2000)
    # Ordinary anchors stay allowed: a few aliases of a small node.
    assert bounded_yaml.load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}
