"""A pool of query worker processes: each query in a process that can be stopped at its deadline.

A request takes an idle worker (a slot), waiting up to ``patience`` seconds in arrival order
(and longer while a worker is being started: its slot is not busy), has it open the current
snapshot if it holds an older one (the first query after a write; not charged to the query's
time budget), then hands it the query. At the deadline the worker is killed: the work stops at
once, the request is answered 503, and a fresh worker takes the slot. A worker that dies on its
own (a native crash in the engine) is replaced the same way; the service lives on. A request
cancelled while its query runs (the client went away) kills the worker too, so no
abandoned query keeps a slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from graphsvc.engine.evaluate import Answer, BudgetExceeded, QueryDataset, QuerySyntaxError
from graphsvc.engine.snapshots import SnapshotKeeper
from graphsvc.engine.wire import HEADER, Snapshot, pack, unpack

__all__ = ["EngineFailure", "PoolBusy", "WorkerPool"]

_log = logging.getLogger(__name__)


class PoolBusy(Exception):
    """Every worker stayed busy for the whole wait."""

    def __init__(self, slots: int) -> None:
        super().__init__(f"all {slots} query workers are busy")
        self.slots = slots


class EngineFailure(Exception):
    """The worker failed on this query (it crashed, or the engine raised)."""


class _Process:
    """One worker process and the service's end of its socket."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        isolated: bool,
    ) -> None:
        self.process = process
        self.reader = reader
        self.writer = writer
        self.isolated = isolated
        self.snapshot: Snapshot | None = None  # the one it has open

    @classmethod
    async def start(cls, prefixes: Mapping[str, str], stack_mib: int) -> _Process:
        ours, theirs = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", "graphsvc.engine.child", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        try:
            reader, writer = await asyncio.open_connection(sock=ours)
        except BaseException:  # cancelled (the pool closes while it starts): leave nothing behind
            ours.close()
            process.kill()
            asyncio.get_running_loop().run_in_executor(None, process.wait)
            raise
        worker = cls(process, reader, writer, False)
        try:
            writer.write(pack(("init", dict(prefixes), stack_mib)))
            ready = await worker.receive()
        except BaseException:
            worker.kill()
            raise
        if ready is None or ready[0] != "ready":
            worker.kill()
            raise EngineFailure("a query worker failed to start")
        worker.isolated = bool(ready[1])
        return worker

    async def receive(self) -> tuple[Any, ...] | None:
        try:
            header = await self.reader.readexactly(HEADER.size)
            body = await self.reader.readexactly(HEADER.unpack(header)[0])
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        return unpack(body)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self.writer.close()
        # reap it without blocking the loop (SIGKILL ends it promptly)
        asyncio.get_running_loop().run_in_executor(None, self.process.wait)


class WorkerPool:
    """``size`` query workers over the snapshots of ``keeper``.

    ``stack_mib`` is the stack of the thread that runs queries in each worker; ``patience`` the
    longest wait for a free worker (by default the query's own time budget).
    """

    def __init__(
        self,
        keeper: SnapshotKeeper,
        size: int,
        prefixes: Mapping[str, str],
        stack_mib: int = 256,
        patience: float | None = None,
    ) -> None:
        self.keeper = keeper
        self.size = max(1, size)
        self.patience = patience
        self._prefixes = dict(prefixes)
        self._stack_mib = stack_mib
        self._idle: asyncio.Queue[_Process] | None = None
        self._workers: set[_Process] = set()
        self._starting: set[asyncio.Task[None]] = set()
        self.replaced = 0  # workers killed at a deadline or lost to a crash, and replaced
        self.open_timeout = 300.0  # for opening a snapshot (loading it, for an in-memory store)
        self.start_timeout = 30.0  # for a worker being started, when a request waits on its slot

    def pids(self) -> set[int]:
        """The process ids of the running workers."""
        return {worker.process.pid for worker in self._workers}

    @property
    def isolated(self) -> bool:
        """Whether every running worker is cut off from the network."""
        return bool(self._workers) and all(w.isolated for w in self._workers)

    async def start(self) -> None:
        """Start the workers (the first query does it otherwise)."""
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.size):
                self._spawn()
        while len(self._workers) < self.size and self._starting:
            await asyncio.sleep(0.01)

    def _spawn(self) -> None:
        task = asyncio.get_running_loop().create_task(self._start_one())
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    async def _start_one(self) -> None:
        assert self._idle is not None
        try:
            worker = await _Process.start(self._prefixes, self._stack_mib)
        except Exception:
            _log.exception("a query worker failed to start; retrying")
            await asyncio.sleep(1)
            self._spawn()
            return
        self._workers.add(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Process) -> None:
        self._workers.discard(worker)
        worker.kill()
        self.replaced += 1
        self._spawn()

    async def answer(
        self,
        text: str,
        dataset: QueryDataset,
        media_types: tuple[str, str],
        max_rows: int,
        seconds: float,
    ) -> Answer:
        """Evaluate ``text`` in a worker. Raises :class:`PoolBusy`, :class:`BudgetExceeded`,
        :class:`QuerySyntaxError` or :class:`EngineFailure`."""
        if self._idle is None:
            await self.start()
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            worker = self._idle.get_nowait()
        except asyncio.QueueEmpty:
            worker = await self._wait_for_idle(
                self.patience if self.patience is not None else seconds
            )
            deadline = loop.time() + seconds
        snapshot = None
        try:
            snapshot = await self.keeper.acquire()
            if worker.snapshot != snapshot:
                await self._open(worker, snapshot)
                deadline = loop.time() + seconds
            request = (
                "query",
                snapshot,
                text,
                _iris(dataset.default_graphs),
                _iris(dataset.named_graphs),
                dataset.union_default_graph,
                media_types,
                max_rows,
                seconds,
            )
            worker.writer.write(pack(request))
            reply = await asyncio.wait_for(worker.receive(), max(deadline - loop.time(), 0.001))
        except TimeoutError:
            self._replace(worker)  # the work stops now, and the slot gets a fresh worker
            raise BudgetExceeded(seconds) from None
        except BaseException:
            self._replace(worker)  # cancelled or failed mid-query: never reuse a busy worker
            raise
        finally:
            if snapshot is not None:
                self.keeper.release(snapshot)
        if reply is None:
            self._replace(worker)
            code = worker.process.poll()
            raise EngineFailure(f"the query engine stopped (exit status {code})")
        self._idle.put_nowait(worker)
        kind = reply[0]
        if kind == "ok":
            return Answer(*reply[1:])
        if kind == "syntax":
            raise QuerySyntaxError(reply[1], reply[2], reply[3])
        if kind == "timeout":
            raise BudgetExceeded(reply[1])
        raise EngineFailure(str(reply[1]))

    async def _wait_for_idle(self, patience: float) -> _Process:
        """The next idle worker, waiting ``patience`` seconds for a busy one to finish.

        A slot whose worker is being started (replaced after a deadline or a crash) is not busy:
        the wait goes on while a start is under way, up to ``start_timeout``, so the request
        after a killed query is served by the fresh worker instead of being refused.
        """
        assert self._idle is not None
        loop = asyncio.get_running_loop()
        busy_until = loop.time() + patience
        starting_until = loop.time() + self.start_timeout
        while True:
            until = max(busy_until, starting_until) if self._starting else busy_until
            try:
                return await asyncio.wait_for(self._idle.get(), max(until - loop.time(), 0))
            except TimeoutError:
                if not self._starting or loop.time() >= until:
                    raise PoolBusy(self.size) from None

    async def _open(self, worker: _Process, snapshot: Snapshot) -> None:
        worker.writer.write(pack(("open", snapshot)))
        try:
            reply = await asyncio.wait_for(worker.receive(), self.open_timeout)
        except TimeoutError:
            raise EngineFailure(
                f"a query worker took over {self.open_timeout:g} s to open the data"
            ) from None
        if reply is None or reply[0] != "opened":
            raise EngineFailure("a query worker failed to open the data")
        worker.snapshot = snapshot

    async def warm(self) -> None:
        """Have every idle worker open the current snapshot, ahead of the first query."""
        await self.start()
        assert self._idle is not None
        workers = []
        while not self._idle.empty():
            workers.append(self._idle.get_nowait())
        snapshot = await self.keeper.acquire()
        try:
            for worker in workers:
                try:
                    await self._open(worker, snapshot)
                except BaseException:
                    self._replace(worker)
                    raise
                self._idle.put_nowait(worker)
        finally:
            self.keeper.release(snapshot)

    async def close(self) -> None:
        starting = list(self._starting)
        for task in starting:
            task.cancel()
        # a worker still starting is killed by its own task once cancelled: let every task get
        # there while the loop runs, or its process and socket outlive the pool unreaped
        await asyncio.gather(*starting, return_exceptions=True)
        for worker in list(self._workers):
            worker.kill()
        self._workers.clear()
        self.keeper.close()


def _iris(graphs: tuple[Any, ...] | None) -> tuple[str, ...] | None:
    return tuple(g.value for g in graphs) if graphs is not None else None
