"""Work spread over the machine's cores with forked processes.

Fork (not spawn) so workers inherit the gathered site and the template environments instead of
pickling them; only each chunk's results travel back through a pipe, and a shared counter lets the
parent show progress while it works a chunk of its own.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import time
from collections.abc import Callable, Sequence

MIN_ITEMS_PER_WORKER = 100  # below this, starting processes costs more than it saves
BATCH = 1000  # items per message back: one message per worker held ~1 GB at 100,000 articles
READ_EVERY = 0.01  # seconds between two looks at the children's pipes while this process works
Tick = Callable[[], None]  # called by the work function after each item


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _child(fn, chunk, conn, counter) -> None:
    def tick() -> None:
        with counter.get_lock():
            counter.value += 1
    try:
        for start in range(0, len(chunk), BATCH):
            conn.send(("part", fn(chunk[start:start + BATCH], tick)))
        conn.send(("done", None))
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the parent
        conn.send(("error", exc))
    finally:
        conn.close()


def fork_map(fn: Callable[[Sequence, Tick], list], items: Sequence, workers: int | None = None,
             progress: Callable[[int], None] | None = None, per_worker: int | None = None,
             per_child: int | None = None) -> list:
    """fn(chunk, tick) for contiguous chunks of items, concatenated in order; progress(done) is
    called now and then with the number of items done. Runs in this process when there is little
    work (fewer than `per_worker` items a worker, default MIN_ITEMS_PER_WORKER), one core, or no fork.

    This process works the first chunk itself while `workers - 1` forked children work the others:
    a child that only waited would still hold its own copy of nearly every page of the parent's
    memory (reading an object writes its reference count), 800 MB at 50,000 stories.

    With `per_child`, a child's chunk is worked in runs of at most that many items, each by a fresh
    child forked when the previous one ends: a child's copy of the parent's memory grows with the
    items it works (every object it touches is copied), and a fresh child starts from nothing."""
    report = progress or (lambda done: None)
    workers = min(workers or cores(), len(items) // (per_worker or MIN_ITEMS_PER_WORKER))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        done = [0]

        def tick() -> None:
            done[0] += 1
            if done[0] % 50 == 0:
                report(done[0])
        result = list(fn(items, tick))
        report(len(items))
        return result
    ctx = multiprocessing.get_context("fork")
    counter = ctx.Value("q", 0)
    size = -(-len(items) // workers)
    run = per_child or size
    # chunk number -> the runs of its items still to hand out, first first
    runs = {number: [items[at:min(at + run, start + size)] for at in range(start, min(start + size, len(items)), run)]
            for number, start in enumerate(range(size, len(items), size))}
    parts: dict[int, list] = {number: [] for number in runs}
    errors: list[BaseException] = []
    waiting: dict = {}  # receiving end -> (chunk number, process)

    def fork(number: int) -> None:
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(fn, runs[number].pop(0), send, counter), daemon=True)
        process.start()
        send.close()
        waiting[receive] = (number, process)
    for number in runs:
        fork(number)
    own = [0]
    last = [time.monotonic()]

    def read(timeout: float) -> None:
        # Answers are read as they come: a full pipe would block its child until this one is done.
        for receive in multiprocessing.connection.wait(list(waiting), timeout=timeout):
            number, process = waiting[receive]
            try:
                status, value = receive.recv()
            except EOFError:
                status, value = "error", RuntimeError(f"a build worker died (exit code {process.exitcode})")
            if status == "part":
                parts[number].extend(value)
                continue
            del waiting[receive]
            process.join()
            if status == "error":
                errors.append(value)
            elif runs[number]:
                fork(number)
        report(counter.value + own[0])

    def tick() -> None:
        own[0] += 1
        now = time.monotonic()
        if now - last[0] > READ_EVERY and waiting:
            last[0] = now
            read(0)
    first: list = []
    try:
        for start in range(0, size, BATCH):  # in batches, as the children: fn may never tick
            first.extend(fn(items[start:min(start + BATCH, size)], tick))
            if waiting:
                read(0)
        while waiting:
            read(0.2)
    except BaseException:
        for _, process in waiting.values():
            process.terminate()
        for _, process in waiting.values():
            process.join()
        raise
    report(counter.value + own[0])
    if errors:
        raise errors[0]
    return first + [item for number in runs for item in parts[number]]
