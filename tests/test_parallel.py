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
    # this process works the first chunk itself, one child the other
    assert [pid for _, pid in results[:50]] == [os.getpid()] * 50
    assert len({pid for _, pid in results[50:]}) == 1 and results[50][1] != os.getpid()
    assert seen[-1] == 100 and seen == sorted(seen)


def test_a_child_that_sends_more_than_a_pipe_holds_does_not_wait_for_the_parents_chunk(small_batches):
    # Each batch is 7 items of 200 kB: a child blocked on its pipe until the parent's chunk ended
    # would finish after it; read on the way, the child ends first.
    import time

    def slow_in_parent(chunk, tick):
        result = []
        for item in chunk:
            if os.getpid() == parent:
                time.sleep(0.02)
            result.append((item, time.monotonic(), b"x" * 200_000))
            tick()
        return result
    parent = os.getpid()
    results = parallel.fork_map(slow_in_parent, list(range(100)), workers=2)
    assert [item for item, _, _ in results] == list(range(100))
    assert results[-1][1] < results[49][1]


def test_children_are_read_between_batches_even_when_fn_never_ticks(small_batches):
    import time

    def untimed(chunk, tick):  # works its whole chunk, then returns, never calling tick
        if os.getpid() == parent:
            time.sleep(0.05)
        return [(item, time.monotonic(), b"x" * 200_000) for item in chunk]
    parent = os.getpid()
    results = parallel.fork_map(untimed, list(range(100)), workers=2)
    assert [item for item, _, _ in results] == list(range(100))
    assert results[-1][1] < results[49][1]  # the child was not left waiting on its pipe


def test_one_worker_runs_in_this_process(small_batches):
    results = parallel.fork_map(square_with_pid, list(range(20)), workers=1)
    assert {pid for _, pid in results} == {os.getpid()}


@pytest.mark.parametrize("failing", [42, 77])  # in this process's chunk, in the child's
def test_an_error_in_a_worker_reaches_the_parent_with_its_problems(small_batches, failing):
    def fail(chunk, tick):
        if failing in chunk:
            raise BuildError([Problem("templates/article.html", "boom", 3)])
        return list(chunk)
    with pytest.raises(BuildError) as caught:
        parallel.fork_map(fail, list(range(100)), workers=2)
    assert [str(p) for p in caught.value.problems] == ["templates/article.html:3: boom"]


def test_a_worker_that_dies_is_reported(small_batches):
    parent = os.getpid()

    def die(chunk, tick):
        if os.getpid() != parent:
            os._exit(3)
        return list(chunk)
    with pytest.raises(RuntimeError, match="a build worker died"):
        parallel.fork_map(die, list(range(100)), workers=2)


def runs_of(pids):
    lengths = []
    for index, pid in enumerate(pids):
        if index and pid == pids[index - 1]:
            lengths[-1] += 1
        else:
            lengths.append(1)
    return lengths


def test_per_child_hands_a_chunk_to_fresh_children_in_turn(small_batches):
    results = parallel.fork_map(square_with_pid, list(range(102)), workers=3, per_child=10)
    assert [value for value, _ in results] == [i * i for i in range(102)]
    pids = [pid for _, pid in results]
    assert set(pids[:34]) == {os.getpid()}
    # two chunks of 34 in runs of 10, 10, 10 and 4, each run by its own child
    assert runs_of(pids[34:]) == [10, 10, 10, 4, 10, 10, 10, 4]
    assert len(set(pids[34:])) == 8 and os.getpid() not in pids[34:]


def test_per_child_brings_an_error_from_a_later_child_to_the_parent(small_batches):
    def fail(chunk, tick):
        if 95 in chunk:
            raise BuildError([Problem("templates/day.html", "bad", 7)])
        return list(chunk)
    with pytest.raises(BuildError) as caught:
        parallel.fork_map(fail, list(range(100)), workers=2, per_child=10)
    assert [str(p) for p in caught.value.problems] == ["templates/day.html:7: bad"]
