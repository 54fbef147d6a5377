"""fork_map: work spread over forked processes keeps the order, reports progress, streams results
in batches, and brings a worker's error (with its problems) back to the parent."""
from __future__ import annotations

import os

import pytest

from newsdigest import parallel
from newsdigest.errors import BuildError, Problem


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_ITEMS_PER_WORKER", 5)
    monkeypatch.setattr(parallel, "BATCH", 7)


def square_with_pid(chunk, tick):
    result = []
    for item in chunk:
        result.append((item * item, os.getpid()))
        tick()
    return result


def test_results_come_back_in_order_from_several_processes(small_batches):
    seen = []
    results = parallel.fork_map(square_with_pid, list(range(100)), workers=2, progress=seen.append)
    assert [value for value, _ in results] == [i * i for i in range(100)]
    assert len({pid for _, pid in results}) == 2 and os.getpid() not in {pid for _, pid in results}
    assert seen[-1] == 100 and seen == sorted(seen)


def test_one_worker_runs_in_this_process(small_batches):
    results = parallel.fork_map(square_with_pid, list(range(20)), workers=1)
    assert {pid for _, pid in results} == {os.getpid()}


def test_an_error_in_a_worker_reaches_the_parent_with_its_problems(small_batches):
    def fail_on_42(chunk, tick):
        if 42 in chunk:
            raise BuildError([Problem("templates/article.html", "boom", 3)])
        return list(chunk)
    with pytest.raises(BuildError) as caught:
        parallel.fork_map(fail_on_42, list(range(100)), workers=2)
    assert [str(p) for p in caught.value.problems] == ["templates/article.html:3: boom"]


def test_a_worker_that_dies_is_reported(small_batches):
    def die(chunk, tick):
        os._exit(3)
    with pytest.raises(RuntimeError, match="a build worker died"):
        parallel.fork_map(die, list(range(100)), workers=2)
