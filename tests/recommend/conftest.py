"""Fixtures of the recommendation tests: the hand-made graph and cached generated datasets."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graphsvc.recommend.source import RecordSet
from graphsvc.synthetic import SyntheticDataset, generate_dataset
from recommend.graphs import dataset_source, hand_made


@pytest.fixture
def small() -> RecordSet:
    return hand_made()


@pytest.fixture(scope="session")
def generated() -> Callable[[int, int], RecordSet]:
    cache: dict[tuple[int, int], SyntheticDataset] = {}

    def make(n: int, seed: int) -> RecordSet:
        if (n, seed) not in cache:
            cache[(n, seed)] = generate_dataset(n, seed)
        return dataset_source(cache[(n, seed)])

    return make
