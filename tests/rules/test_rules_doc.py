"""docs/rules.md names every code of the catalogue, so the published list never drifts."""

from pathlib import Path

from gateway.rules import CODES, ruleset_config_hash

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def test_rules_doc_lists_every_code_and_the_current_hash():
    text = DOC.read_text()
    missing = [code for code in CODES if f"`{code}`" not in text]
    assert missing == []
    assert ruleset_config_hash() in text
