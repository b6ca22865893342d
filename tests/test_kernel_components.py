"""The compiled kernel's building blocks equal their definitions: numpy's streams, the Poisson
inversion and allocation of `sim.model.randomness`, the searches of `TerrainNetwork`."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from scipy.special import pdtrik

from sim.kernel import draws, streams, terrain as kterrain
from sim.kernel.layout import CONTROLS, NONE
from sim.model import randomness
from sim.model.networks import TerrainNetwork
from sim.scenario_types import Locality, Terrain
from sim.scenarios import load_scenario


@pytest.mark.parametrize("seed", [0, 1, 7, 2**31 + 5, 2**40 + 3, 2**63 - 1])
def test_streams_equal_numpy_seedsequence_and_pcg64_bit_for_bit(seed):
    for name in ("rus_strikes", "envoy_pause", "backer_support"):
        key = randomness.rule_key(name)
        expected = np.array(randomness.rule_stream(seed, name, 37, 3))
        out = np.full(200, -1.0)
        streams.pcg64_stream(streams.seed_pool(np.uint64(seed)), np.uint64(key), expected.size, out, 5)
        assert np.array_equal(out[5:5 + expected.size], expected)
        assert (out[:5] == -1).all() and (out[5 + expected.size:] == -1).all()  # writes only its slice


def test_rule_streams_lay_each_rule_out_at_its_offset():
    keys = np.array([randomness.rule_key(n) for n in ("a", "b", "c")], dtype=np.int64)
    values, offsets = streams.rule_streams(np.uint64(42), keys, np.array([4, 0, 6], dtype=np.int64))
    assert offsets.tolist() == [0, 4, 4, 10]
    assert values[0:4].tolist() == randomness.rule_stream(42, "a", 4, 1)
    assert values[4:10].tolist() == randomness.rule_stream(42, "c", 6, 1)


def test_a_rules_stream_does_not_depend_on_the_other_rules():
    """The paired design at the level of the streams: a rule's uniforms are the same whatever the
    other rules draw (here: another rule drawing ten times more)."""
    keys = np.array([randomness.rule_key(n) for n in ("rus_strikes", "gov_bombardment")], dtype=np.int64)
    alone, _ = streams.rule_streams(np.uint64(9), keys[:1], np.array([120], dtype=np.int64))
    both, offsets = streams.rule_streams(np.uint64(9), keys[::-1], np.array([1200, 120], dtype=np.int64))
    assert np.array_equal(both[offsets[1]:offsets[2]], alone)


def _poisson_definition(u, rate):
    return 0 if rate <= 0 else max(0, math.ceil(pdtrik(u, rate)))


@pytest.mark.parametrize("rate", [0.0, -1.0, 1e-3, 0.4, 3.0, 18.5, 75.0, 220.0, 900.0, 2500.0])
def test_poisson_inversion_equals_the_definition(rate):
    rng = np.random.default_rng(int(rate * 1000) % 2**32)
    us = np.concatenate([rng.random(4000), [0.0, 1e-300, 0.5]])
    assert [draws.poisson_quantile(u, rate) for u in us] == [_poisson_definition(u, rate) for u in us]


def test_poisson_inversion_in_the_far_tail_stops_where_the_distribution_function_is_1():
    for rate in (0.5, 18.5, 220.0, 2500.0):
        top = draws.poisson_quantile(1 - 2**-53, rate)
        assert _poisson_definition(1 - 1e-12, rate) <= top <= rate + 40 * math.sqrt(rate) + 60


def test_systematic_allocation_equals_the_definition_and_keeps_the_total():
    rng = random.Random(3)
    for _ in range(3000):
        m = rng.randint(1, 9)
        weights = [rng.random() ** 3 for _ in range(m)]
        total_weight = sum(weights)
        cumulative, running = [], 0.0
        for w in weights:
            running += w / total_weight
            cumulative.append(running)
        total, u = rng.randint(0, 300), rng.random()
        names = [f"l{i}" for i in range(m)]
        expected = randomness.systematic_allocation(total, list(zip(names, cumulative)), u)
        counts = np.full(m, -7, dtype=np.int64)
        draws.systematic_allocation(total, np.array(cumulative), u, counts)
        assert {names[i]: int(k) for i, k in enumerate(counts) if k > 0} == expected
        assert counts.sum() == total and (counts >= 0).all()


def _random_terrain(rng: random.Random, n: int) -> Terrain:
    kinds = ["town", "city", "crossing", "enclave", "camp", "junction"]
    localities = tuple(
        Locality(name=f"x{i}", label=f"X{i}", kind=rng.choice(kinds), population=rng.choice([0, 10, 5000]),
                 control=rng.choice(CONTROLS))
        for i in range(n))
    roads = sorted({tuple(sorted(rng.sample(range(n), 2))) for _ in range(rng.randint(n - 1, 2 * n))})
    roads = tuple((f"x{a}", f"x{b}") for a, b in roads)
    names = [loc.name for loc in localities]
    return Terrain(name="random", localities=localities, roads=roads, crossing=rng.choice(names),
                   city=tuple(rng.sample(names, 2)), offensive_axis=tuple(rng.sample(names, 4)))


def _terrains():
    rng = random.Random(11)
    shipped = [load_scenario(name).terrain for name in ("geneva_2016_02", "ceasefire_2016_09")]
    return shipped + [_random_terrain(rng, rng.randint(5, 30)) for _ in range(300)]


def test_terrain_searches_equal_the_terrain_network_on_shipped_and_random_terrains():
    rng = random.Random(5)
    for terrain in _terrains():
        network = TerrainNetwork(terrain)
        compiled = kterrain.compile_terrain(terrain)
        assert compiled.names == network.names
        for _ in range(10):  # random control over the same roads
            for name in network.names:
                network.control[name] = rng.choice(CONTROLS)
            control = np.array([CONTROLS.index(network.control[n]) for n in network.names], dtype=np.int8)
            args = (control, compiled.indptr, compiled.indices)
            front = kterrain.frontline(*args)
            assert [n for n, f in zip(network.names, front) if f] == network.frontline()
            target = kterrain.next_axis_target(*args, compiled.axis)
            assert (None if target == NONE else network.names[target]) == network.next_axis_target()
            assert kterrain.supply_route_open(*args, compiled.crossing, compiled.city) == network.supply_route_open()
            besieged = kterrain.besieged_enclaves(*args, compiled.is_enclave)
            assert {n for n, b in zip(network.names, besieged) if b} == network.besieged_enclaves()


def test_compiled_terrain_keeps_the_file_order_of_roads_at_both_ends():
    terrain = load_scenario("geneva_2016_02").terrain
    network = TerrainNetwork(terrain)
    compiled = kterrain.compile_terrain(terrain)
    for i, name in enumerate(compiled.names):
        around = compiled.indices[compiled.indptr[i]:compiled.indptr[i + 1]]
        assert tuple(compiled.names[j] for j in around) == network.neighbours[name]
