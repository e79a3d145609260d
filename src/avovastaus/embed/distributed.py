"""Embedding on the workers of an existing Dask cluster (``avovastaus run --dask ADDRESS``, ``[compute] dask``).

Only the embedding leaves this machine, the one stage that grows with the model's size; everything else
runs here as it would without Dask. :class:`DaskEmbedder` wraps the run's embedder and takes the chunks
of :func:`avovastaus.embed.embed`'s plan — texts sorted by length, 256 per chunk — in partitions of whole
chunks to the workers. A worker encodes each chunk exactly as a local run would, so the vectors, and so
every result, are the same bytes as a local run's (the Dask tests compare them). :func:`embed` stores each
chunk in the cache as its partition comes back, so an interrupted run keeps what was embedded.

A failed partition is tried ``retries`` times more; a partition on a worker that dies is moved to another
worker by the scheduler. Workers need the same avovastaus installation and the model folder at the same
path (a shared file system, or the same ``AVOVASTAUS_MODELS_DIR``); the answers travel to the workers,
so the cluster must be one the survey's data may be processed on.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, Iterator, Sequence

import numpy as np

from avovastaus.errors import AvovastausError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10
_ADDRESS = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(?P<port>\d{1,5})/?$")


def check_address(address: str) -> str:
    """Return a scheduler address as ``tcp://host:port``; a coded error (E205) for anything else, before any connection is tried."""
    text = (address or "").strip()
    if not text:
        raise AvovastausError("E205", address=repr(address), detail="the address is empty")
    match = _ADDRESS.match(text)
    if not match:
        raise AvovastausError("E205", address=text, detail="an address is tcp://HOST:PORT (for example tcp://10.0.0.5:8786)")
    scheme = match["scheme"] or "tcp"
    if scheme != "tcp":
        raise AvovastausError("E205", address=text, detail=f"the {scheme}:// protocol is not supported here (tls needs certificates, ucx a GPU network); use tcp://")
    if not 0 < int(match["port"]) < 65536:
        raise AvovastausError("E205", address=text, detail=f"port {match['port']} is not 1–65535")
    return f"tcp://{match['host']}:{match['port']}"


def probe(address: str) -> None:
    """Open and close one connection to ``address`` with Dask's own handshake; E205 when nothing, or no Dask scheduler, answers there.

    A refused port, an unreachable host (after ``CONNECT_TIMEOUT_S``) and a service that is not Dask (an
    HTTP server that waits for a request, or bytes read as a huge frame length) all end here, before a ``Client`` exists.
    """
    import asyncio

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await connect(address, timeout=CONNECT_TIMEOUT_S)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), CONNECT_TIMEOUT_S + 1))  # a service that never answers the handshake must not hold the run
    except TimeoutError:
        raise AvovastausError("E205", address=address, detail=f"no Dask scheduler answered within {CONNECT_TIMEOUT_S} s") from None
    except OSError as exc:
        raise AvovastausError("E205", address=address, detail=str(exc).splitlines()[0][:200] or type(exc).__name__) from None
    except Exception as exc:  # noqa: BLE001 - bytes that are not Dask's protocol fail in many ways (MemoryError for a huge "frame")
        raise AvovastausError("E205", address=address, detail=f"something answers there, but not a Dask scheduler ({type(exc).__name__})") from None


def _encode_partition(embedder: Any, chunks: list[list[str]]) -> list[np.ndarray]:
    """Return the vectors of each chunk (runs on a worker; the embedder stays loaded between the worker's tasks)."""
    return [embedder.encode(texts) for texts in chunks]


def partitions(chunk_sizes: Sequence[int], size: int) -> list[list[int]]:
    """Return chunk numbers grouped into partitions of whole chunks, each of at most ``size`` texts (at least one chunk)."""
    groups: list[list[int]] = []
    filled = 0
    for number, n in enumerate(chunk_sizes):
        if not groups or filled + n > size:
            groups.append([])
            filled = 0
        groups[-1].append(number)
        filled += n
    return groups


class DaskEmbedder:
    """An embedder whose chunks are encoded on the workers of the Dask scheduler at ``address``.

    It keys the cache as the embedder it wraps (same ``model_id``, ``checksum``, ``prompt``, ``backend``):
    vectors embedded on the cluster and here are the same. ``report()`` says what the cluster did.
    """

    def __init__(self, embedder: Any, address: str, partition: int = 1024, retries: int = 2, progress: Any = None) -> None:
        self.embedder = embedder
        self.address = check_address(address)
        self.partition = partition
        self.retries = retries
        self.progress = progress
        self._report: dict[str, Any] = {"address": address, "partitions": 0, "workers": 0, "seconds": 0.0}

    model_id = property(lambda self: self.embedder.model_id)
    checksum = property(lambda self: self.embedder.checksum)
    prompt = property(lambda self: self.embedder.prompt)
    backend = property(lambda self: getattr(self.embedder, "backend", "torch"))
    max_tokens = property(lambda self: getattr(self.embedder, "max_tokens", None))

    def report(self) -> dict[str, Any]:
        """Return the scheduler address, partitions sent, workers seen and seconds spent (for the manifest)."""
        return dict(self._report)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return the vectors of ``texts``, encoded on the cluster as one chunk."""
        return next(self.encode_chunks([list(texts)]))[1]

    def _connect(self):
        try:
            from distributed import Client
        except ImportError as exc:
            raise AvovastausError("E205", address=self.address, detail=f"the package distributed is not installed ({exc})") from None
        probe(self.address)  # a failed Client would print a stray traceback when collected, and may hang closing: never build one in vain
        try:
            return Client(self.address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except Exception as exc:  # noqa: BLE001 - whatever stops the connection, the user's address is the cause
            raise AvovastausError("E205", address=self.address, detail=str(exc).splitlines()[0][:200] or type(exc).__name__) from None

    def encode_chunks(self, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(chunk number, vectors)`` as the workers' partitions come back (in any order)."""
        if not chunks:
            return
        from distributed import as_completed

        started = time.perf_counter()
        client = self._connect()
        try:
            groups = partitions([len(c) for c in chunks], self.partition)
            workers = len(client.scheduler_info().get("workers", {}))
            message = f"Embedding {sum(map(len, chunks)):,} texts on the Dask cluster at {self.address}: {len(groups)} partitions, {workers} workers."
            self.progress.message(message) if self.progress is not None else log.info(message)
            [remote] = client.scatter([self.embedder], broadcast=True, hash=False)  # sent once; each worker loads the model once
            run = uuid.uuid4().hex[:8]
            futures = {
                client.submit(_encode_partition, remote, [list(chunks[i]) for i in group], key=f"avovastaus-embed-{run}-{p}",
                              retries=self.retries, pure=False): group
                for p, group in enumerate(groups)
            }
            self._report.update(partitions=len(groups), workers=workers)
            for future in as_completed(futures, loop=client.loop):
                try:
                    vectors = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker's error, after the retries
                    # a lost scheduler cancels every future ("scheduler-connection-lost"): the cluster's fault, not a partition's
                    if client.status in ("closing", "closed") or type(exc).__name__ in ("CommClosedError", "CancelledError", "FutureCancelledError"):
                        raise AvovastausError("E207", address=self.address, detail=f"{type(exc).__name__}: {str(exc)[:200]}") from None
                    for other in futures:
                        other.cancel()
                    path = getattr(self.embedder, "folder", getattr(self.embedder, "name_or_path", "?"))
                    raise AvovastausError("E206", address=self.address, retries=self.retries, detail=f"{type(exc).__name__}: {str(exc)[:200]}", path=path) from None
                for number, matrix in zip(futures[future], vectors):
                    yield number, np.asarray(matrix, dtype=np.float32)
        finally:
            self._report["seconds"] = round(time.perf_counter() - started, 3)
            client.close()
