"""The action ledger: records in a closed vocabulary, counts, and the tidy actions.csv."""

import csv

import pytest

from sim.model.ledger import COLUMNS, Ledger


def small_ledger() -> Ledger:
    ledger = Ledger()
    ledger.record(
        "2025-01",
        "JPN",
        "offer",
        target="PHL",
        layer="capacity",
        channel="direct",
        amount=2e7,
        unit="USD",
        status="proposed",
    )
    ledger.record(
        "2025-01",
        "PHL",
        "decline",
        target="JPN",
        layer="capacity",
        channel="direct",
        amount=2e7,
        unit="USD",
        status="declined",
    )
    ledger.record("2025-02", "CHN", "deployment", area="SCARBOROUGH", amount=31, unit="ship-days")
    return ledger


def test_counts_and_tallies():
    ledger = small_ledger()
    assert len(ledger) == 3
    assert ledger.count(kind="decline", target="JPN") == 1
    assert ledger.count(kind="offer", channel="routed") == 0
    assert ledger.tally("actor") == {"JPN": 1, "PHL": 1, "CHN": 1}


def test_since_gives_the_actions_of_a_month():
    ledger = small_ledger()
    mark = len(ledger)
    ledger.record("2025-03", "ASEAN", "statement", status="blocked")
    assert [a.kind for a in ledger.since(mark)] == ["statement"]
    assert ledger.count(ledger.since(mark), status="blocked") == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "decilne"), ("layer", "trilateral"), ("channel", "asean"), ("status", "maybe")],
)
def test_words_outside_the_vocabulary_are_refused(field, value):
    ledger = Ledger()
    arguments = {"kind": "offer", "layer": "quad", "channel": "direct", "status": "proposed"}
    arguments[field] = value
    kind = arguments.pop("kind")
    with pytest.raises(ValueError, match=f"unknown action {field} '{value}'"):
        ledger.record("2025-01", "JPN", kind, **arguments)
    assert len(ledger) == 0


def test_write_csv_is_one_row_per_action_in_order(tmp_path):
    path = tmp_path / "actions.csv"
    small_ledger().write_csv(path)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == COLUMNS
    assert [r["kind"] for r in rows] == ["offer", "decline", "deployment"]
    assert rows[2]["unit"] == "ship-days" and float(rows[2]["amount"]) == 31
    assert rows[1]["channel"] == "direct" and rows[2]["channel"] == "none"
