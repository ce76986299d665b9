"""Who serves which schools in the synthetic country (bench/population.py)."""

import population


def test_blocks_cut_the_register_into_runs_of_neighbours():
    assert population.blocks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert population.blocks([], 16) == []
    groups = population.blocks(list(range(450)), population.SCHOOLS_PER_PEKSOS)
    assert len(groups) == 29 and all(len(g) == 16 for g in groups[:-1])


def test_every_school_has_the_owner_of_its_run():
    owners = population.owner_of([[1, 2], [3]], [10, 20])
    assert owners == {1: 10, 2: 10, 3: 20}
