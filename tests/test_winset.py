"""Win-set sizes against brute force, the sampled estimate against the exact count."""

from __future__ import annotations

import json

from hypothesis import given, settings

from planner.analysis.winset import joint_winset_empty, winset_sizes

from .conftest import instance_from, small_tables
from .oracle import winset_counts
from .strategies import instances


@settings(max_examples=60, deadline=None)
@given(instance=instances(objective="own"))
def test_exact_winset_counts_equal_brute_force(instance):
    table = winset_sizes(instance).set_index("side")
    expected = winset_counts(instance)
    assert table["exact"].all()
    assert {s: int(n) for s, n in table["packages"].items()} == expected
    assert joint_winset_empty(instance) == (expected["joint"] == 0)


@settings(max_examples=25, deadline=None)
@given(instance=instances(objective="own"))
def test_sampled_interval_covers_the_exact_share(instance):
    exact = winset_sizes(instance).set_index("side")
    sampled = winset_sizes(instance, exact_limit=0, samples=4000, seed=7, confidence=1 - 1e-6).set_index("side")
    assert not sampled["exact"].any()
    for side, row in sampled.iterrows():
        share = exact.loc[side, "share"]
        assert row["share_low"] <= share <= row["share_high"], (side, share, row.to_dict())


def test_the_95_percent_interval_covers_about_95_percent_of_the_time():
    instance = instance_from(small_tables())  # H's exact share is 1/2
    hits = 0
    for seed in range(200):
        row = winset_sizes(instance, exact_limit=0, samples=200, seed=seed).set_index("side").loc["H"]
        hits += row["share_low"] <= 0.5 <= row["share_high"]
    assert 180 <= hits <= 199, hits


def test_winset_of_the_linkage_case_by_hand():
    # H ratifies (a,a) and (b,b) only (2 of 4 packages); F is autonomous
    table = winset_sizes(instance_from(small_tables())).set_index("side")
    assert table.loc["H", "packages"] == 2 and table.loc["F", "packages"] == 4 and table.loc["joint", "packages"] == 2
    assert table.loc["joint", "share"] == 0.5


def test_winset_command(tmp_path, workbook, tables, cli):
    out = tmp_path / "w.json"
    xlsx = tmp_path / "w.xlsx"
    proc = cli("winset", workbook(tables), "--json", out, "--output", xlsx)
    assert proc.returncode == 0, proc.stderr
    assert "joint" in proc.stdout
    doc = json.loads(out.read_text())
    rows = {r["side"]: r for r in doc["winsets"]}
    assert rows["H"]["packages"] == 2 and rows["joint"]["exact"] is True
    assert xlsx.exists()


@settings(max_examples=30, deadline=None)
@given(instance=instances(objective="own", money=True))
def test_counts_by_one_side_mips_equal_brute_force(instance):
    """With subset trials switched off, every undecided package goes to the one-side MIP."""
    import planner.analysis.winset as winset

    limit = winset.SUBSET_LIMIT
    winset.SUBSET_LIMIT = -1
    try:
        table = winset_sizes(instance).set_index("side")
    finally:
        winset.SUBSET_LIMIT = limit
    assert {s: int(n) for s, n in table["packages"].items()} == winset_counts(instance)
