"""planner generate: deterministic synthetic instances of the documented shapes."""

from __future__ import annotations

import json
import statistics

import pytest

import planner
from planner.generate import SIZES, generate
from planner.io.workbook import instance_to_tables


@pytest.mark.parametrize("kind", sorted(SIZES))
def test_the_same_seed_gives_the_same_instance_and_another_seed_another(kind):
    a, b, c = generate(kind, "small", 5), generate(kind, "small", 5), generate(kind, "small", 6)
    assert instance_to_tables(a) == instance_to_tables(b)
    assert a.utilities != c.utilities


@pytest.mark.parametrize("kind,size", [(k, s) for k in SIZES for s in SIZES[k]])
def test_sizes_have_their_documented_shape(kind, size):
    inst = generate(kind, size, 1)
    issues, options, groups = SIZES[kind][size]
    assert len(inst.issues) == issues and {len(i.options) for i in inst.issues} == {options}
    home_side = inst.side_ids[0]
    assert len(inst.groups_of(home_side)) == groups


def test_a_parliament_has_parties_with_correlated_members_and_a_qualified_majority_council():
    inst = generate("parliament", "medium", 3)
    commons, council = inst.bodies
    assert len(commons.members) == 649 and commons.threshold == 0.5 and commons.rule == "more_than"
    assert (council.threshold, council.rule, council.count_threshold, council.block_min) == (0.65, "at_least", 0.55, 4)
    assert len(council.members) == 27 and abs(council.total_weight - 100) < 0.1
    keys = list(inst.option_keys())

    def distance(g, h):
        return statistics.fmean(abs(inst.value(g, *k) - inst.value(h, *k)) for k in keys)

    gov = [g.id for g in inst.groups if g.id.startswith("gov")][:30]
    opp = [g.id for g in inst.groups if g.id.startswith("opp")][:30]
    within = statistics.fmean(distance(g, h) for g in gov for h in gov if g < h)
    across = statistics.fmean(distance(g, h) for g in gov for h in opp)
    assert within < 0.6 * across


def test_the_generate_command_writes_reads_back_and_never_overwrites_silently(tmp_path, cli):
    proc = cli("generate", tmp_path, "--kind", "parliament", "--seed", "4", "--count", "2", "--format", "json", "--json", "-")
    assert proc.returncode == 0, proc.stderr
    files = json.loads(proc.stdout)["files"]
    assert [p.rsplit("/", 1)[-1] for p in files] == ["parliament_small_s4.json", "parliament_small_s5.json"]
    read = planner.read_instance(files[0])
    assert instance_to_tables(read) == instance_to_tables(generate("parliament", "small", 4).replace(name=read.name))
    before = [open(f, "rb").read() for f in files]
    again = cli("generate", tmp_path, "--kind", "parliament", "--seed", "4", "--count", "2", "--format", "json")
    assert again.returncode == 2 and "--force" in again.stderr
    assert [open(f, "rb").read() for f in files] == before
    assert cli("generate", tmp_path, "--count", "0").returncode == 2


def test_the_names_of_generated_instances_are_known_before_they_are_made():
    """write_generated checks its targets by name first, then makes and writes one instance at a time."""
    from planner.generate import SIZES, generate, instance_name

    for kind in SIZES:
        for seed in (1, 12):
            assert instance_name(kind, "small", seed) == generate(kind, "small", seed).name
    assert instance_name("random", "large", 3) == "random_60x8x500_s3"
