"""Work spread over the machine's cores with forked processes.

Fork (not spawn) so workers inherit the gathered site and the template environments instead of
pickling them; only each chunk's results travel back through a pipe.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence

MIN_ITEMS_PER_WORKER = 100  # below this, starting processes costs more than it saves


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _child(fn, chunk, conn) -> None:
    try:
        conn.send(("ok", fn(chunk)))
    except BaseException as exc:  # noqa: BLE001 - every failure must reach the parent
        conn.send(("error", exc))
    finally:
        conn.close()


def fork_map(fn: Callable[[Sequence], list], items: Sequence, workers: int | None = None) -> list:
    """fn(chunk) for contiguous chunks of items, concatenated in order. Runs in this process when
    there is little work, one core, or no fork (then it is simply fn(items))."""
    workers = min(workers or cores(), len(items) // MIN_ITEMS_PER_WORKER)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return list(fn(items))
    ctx = multiprocessing.get_context("fork")
    size = -(-len(items) // workers)
    jobs = []
    for start in range(0, len(items), size):
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(fn, items[start:start + size], send), daemon=True)
        process.start()
        send.close()
        jobs.append((process, receive))
    results, error = [], None
    for process, receive in jobs:
        try:
            status, value = receive.recv()  # before join: a full pipe would block the child forever
        except EOFError:
            status, value = "error", RuntimeError(f"a build worker died (exit code {process.exitcode})")
        process.join()
        if status == "error":
            error = error or value
        else:
            results.extend(value)
    if error is not None:
        raise error
    return results
