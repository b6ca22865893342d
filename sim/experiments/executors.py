"""Where work runs: this process, a pool of local processes, or a Dask cluster.

The one home of process pools in the project. The batch runner streams finished tasks from
`completed(...)` (results as they finish, a bounded number in flight); the calibration's
sampler maps a function over arguments in order with `OrderedPool`. Both start local workers
the same way ('spawn': clean interpreters that import the package, the same in a script and in
a notebook, with no state inherited from the parent) and run work through `in_worker`, which
freezes a worker's imported objects once.

Results never depend on the executor: every seed is fixed before work is sent out.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import gc
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sim.errors import UserError

#: Work kept in flight per worker: enough to keep workers busy, few enough to bound memory.
IN_FLIGHT_PER_WORKER = 2


class WorkerLost(RuntimeError):
    """A worker process died (killed, or out of memory) before its work finished."""


_worker_frozen = False


def in_worker(fn: Callable, *args) -> Any:
    """Call fn(*args) in a worker process, freezing the process's objects once first.

    The cyclic garbage collector's full collections rescan every object the process holds,
    mostly the imported libraries' (pandas, pyarrow, scipy, Mesa): a large share of a run's
    time in a worker, measured. Freezing what is alive after a first collection exempts it;
    garbage made later is collected as usual, so memory stays flat. Only worker processes call
    it: in the caller's own process (one worker) a notebook's objects are left as they are. (A
    Dask cluster of threads in the caller's process would freeze the caller's objects too:
    harmless but permanent; Dask's LocalCluster uses processes by default.)
    """
    global _worker_frozen
    if not _worker_frozen:
        gc.collect()
        gc.freeze()
        _worker_frozen = True
    return fn(*args)


#: How often a local worker checks that its parent process is alive (seconds).
PARENT_CHECK_SECONDS = 1.0
#: How long a Dask study waits with no live worker before it stops (seconds).
DASK_NO_WORKER_TIMEOUT = 60.0
#: How often a Dask study looks at the cluster while it waits for work (seconds).
DASK_POLL_SECONDS = 5.0


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when its parent dies.

    A parent killed with SIGKILL runs no clean-up, and its pool's workers would keep computing
    work nobody collects. The worker is reparented when its parent dies, so getppid() changes.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _unguarded_script() -> str | None:
    """The script being run, when it has no `if __name__ == "__main__":` block.

    A 'spawn' worker starts by importing the main script again: a script that starts a pool at
    its top level, unguarded, would start one in every worker, and they die at once (Python's
    'bootstrapping phase' RuntimeError) - so it is refused before the pool, naming the cause.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or not str(path).endswith(".py"):
        return None  # a notebook, the interpreter, `python -c`: nothing is imported again
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and isinstance(node.left, ast.Name) and node.left.id == "__name__":
            return None
    return str(path)


def check_can_start(workers: int, client=None) -> None:
    """Refuse, before anything is written, local workers that could not start.

    Raises:
        UserError: the main script has no `if __name__ == "__main__":` guard.
    """
    script = _unguarded_script() if client is None and workers > 1 else None
    if script is not None:
        raise UserError(f"{script}: workers={workers} starts worker processes, which import this script again; "
                        'put the study under `if __name__ == "__main__":` (or use workers=1)')


def local_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of `workers` fresh local processes ('spawn') that end when this process does.

    Raises:
        UserError: the main script has no `if __name__ == "__main__":` guard.
    """
    check_can_start(workers)
    return cf.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_exit_with_parent, initargs=(os.getpid(),))


def connect(scheduler: str):
    """A dask.distributed Client for a scheduler address (tcp://host:8786).

    Raises:
        UserError: Dask is not installed or the scheduler cannot be reached.
    """
    try:
        from dask.distributed import Client
    except ImportError:
        raise UserError("--scheduler needs dask[distributed]: pip install 'parley[dask]'") from None
    try:
        return Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as err:
        raise UserError(f"--scheduler: cannot reach {scheduler} ({err})") from None


def describe(workers: int, client=None) -> str:
    """The executor in words, for progress bars and manifests."""
    if client is not None:
        return f"dask ({client.scheduler.address})"
    return "this process" if workers == 1 else f"{workers} local processes"


def completed(fn: Callable, items: Sequence, workers: int = 1, client=None) -> Iterator:
    """fn(item) for every item, yielded as each finishes (in order with one worker).

    Args:
        fn: a module-level function (it is sent to other processes by reference).
        items: its arguments, one call each.
        workers: local processes (1 runs in this process, one item after the other).
        client: a dask.distributed Client (overrides workers).

    Raises:
        WorkerLost: a local worker process died; what was yielded before is complete.
    """
    if client is not None:
        yield from _completed_dask(fn, items, client)
    elif workers == 1:
        yield from map(fn, items)
    else:
        yield from _completed_pool(fn, items, workers)


def _bounded(submit, wait_any, items: Iterable, limit: int, result_of=lambda future: future.result()) -> Iterator:
    """Submit items keeping at most `limit` in flight; yield results as they finish."""
    pending = set()
    queue = iter(items)
    for item in queue:
        pending.add(submit(item))
        if len(pending) >= limit:
            break
    while pending:
        done, pending = wait_any(pending)
        for future in done:
            yield result_of(future)
            nxt = next(queue, None)
            if nxt is not None:
                pending.add(submit(nxt))


def _completed_pool(fn: Callable, items: Sequence, workers: int) -> Iterator:
    with local_pool(workers) as pool:
        try:
            yield from _bounded(
                lambda item: pool.submit(in_worker, fn, item),
                lambda fs: cf.wait(fs, return_when=cf.FIRST_COMPLETED),
                items,
                workers * IN_FLIGHT_PER_WORKER,
            )
        except cf.process.BrokenProcessPool:
            pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerLost("a worker process died (killed, or out of memory)") from None
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _completed_dask(fn: Callable, items: Sequence, client) -> Iterator:
    from dask.distributed import wait

    workers = max(1, sum(client.nthreads().values()))
    live: set = set()  # futures not yet collected; finished ones are dropped so the cluster frees them

    def submit(item):
        future = client.submit(in_worker, fn, item, pure=False)
        live.add(future)
        return future

    def polled(call):
        """`call()` with a timeout, again and again while the cluster has a worker: a cluster with
        none never finishes anything (its futures can even look done while their results wait)."""
        alone_since = None
        while True:
            try:
                return call()
            except TimeoutError:
                if client.scheduler_info().get("workers"):
                    alone_since = None
                    continue
                alone_since = alone_since or time.monotonic()
                if time.monotonic() - alone_since >= DASK_NO_WORKER_TIMEOUT:
                    raise WorkerLost(f"the Dask cluster has had no live worker for {DASK_NO_WORKER_TIMEOUT:.0f} s")

    def wait_any(futures):
        result = polled(lambda: wait(list(futures), timeout=DASK_POLL_SECONDS, return_when="FIRST_COMPLETED"))
        live.difference_update(result.done)
        return set(result.done), set(result.not_done)

    def result_of(future):
        return polled(lambda: future.result(timeout=DASK_POLL_SECONDS))

    try:
        yield from _bounded(submit, wait_any, items, workers * IN_FLIGHT_PER_WORKER, result_of)
    except BaseException:
        client.cancel(list(live))
        raise


class OrderedPool:
    """An ordered map over local processes that stay up between calls (or this process).

    Args:
        workers: processes (1 maps in this process).

    Attributes:
        workers: the number of processes.
    """

    def __init__(self, workers: int = 1):
        self.workers = max(1, int(workers))
        self._pool: cf.ProcessPoolExecutor | None = None

    def map(self, fn: Callable, arg_tuples: Sequence[tuple], chunksize: int | None = None) -> list:
        """[fn(*args) for args in arg_tuples], in order.

        Args:
            fn: a module-level function (sent by reference).
            arg_tuples: one tuple of arguments per call.
            chunksize: calls sent to a worker at once (default: about 8 chunks per worker).

        Raises:
            WorkerLost: a worker process died.
        """
        if self.workers == 1:
            return [fn(*args) for args in arg_tuples]
        if self._pool is None:
            self._pool = local_pool(self.workers)
        chunk = chunksize or max(1, len(arg_tuples) // (self.workers * 8))
        try:
            return list(self._pool.map(_star_in_worker, [(fn, a) for a in arg_tuples], chunksize=chunk))
        except cf.process.BrokenProcessPool:
            self.close()
            raise WorkerLost("a worker process died (killed, or out of memory)") from None

    def close(self) -> None:
        """Stop the worker processes (a later map starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _star_in_worker(fn_and_args: tuple[Callable, tuple]) -> Any:
    fn, args = fn_and_args
    return in_worker(fn, *args)
