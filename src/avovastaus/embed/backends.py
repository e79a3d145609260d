"""Sentence embeddings: the ``Embedder`` protocol, its backends, and cached embedding.

Names: ``e5-small`` (default) and ``static-fi`` are built locally on first use (see
``modelbuild``); anything else is a sentence-transformers folder or a model already in
the local Hugging Face cache. The hub is never contacted: offline mode is forced.

Backends: ``torch`` (sentence-transformers) runs any model; ``onnx`` and ``onnx-int8`` run the
bundled e5-small through ONNX Runtime from a graph exported locally from its folder (int8:
per-channel dynamic quantization, 2.6–3× less CPU per text; its fidelity to the fp32 vectors is
measured in ``benchmarks/backends.py``). ``auto`` is ``onnx-int8`` for e5-small, ``torch`` otherwise.
Each backend's vectors live in their own cache namespace.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Callable, Iterator, Protocol, Sequence

import numpy as np

from avovastaus.embed.build import BUILT_MODELS, EXPORTABLE, build_model, folder_checksum, is_built, quiet_transformers, read_info
from avovastaus.embed.cache import EmbeddingCache, default_cache_dir, namespace
from avovastaus.embed.vectors import unit_rows
from avovastaus.errors import AvovastausError

# Survey answers are personal data and there is no hub here: never let a library reach the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors; ``model_id``/``checksum``/``prompt`` (and ``backend``) key the cache.

    An embedder may also offer ``encode_chunks(chunks)`` yielding ``(chunk number, vectors)`` in any
    order (the Dask embedder of ``distributed`` does); :func:`embed` then hands it all the chunks at once.
    """

    model_id: str
    checksum: str
    prompt: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a local folder or the local Hugging Face cache."""

    backend = "torch"

    def __init__(self, name_or_path: str, model_id: str, checksum: str, prompt: str = "", batch_size: int = 32) -> None:
        self.name_or_path = name_or_path
        self.model_id = model_id
        self.checksum = checksum
        self.prompt = prompt
        self.batch_size = batch_size
        self._model = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}  # sent to other processes (Dask) without the loaded model

    def initialize(self) -> "SentenceTransformerEmbedder":
        """Load the model (once); returns self."""
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            quiet_transformers()
            torch.manual_seed(0)
            try:
                self._model = SentenceTransformer(self.name_or_path, device="cpu", local_files_only=True)
            except (OSError, ValueError) as exc:
                raise AvovastausError("E203", name=self.model_id, path=self.name_or_path, detail=str(exc).splitlines()[0]) from None
        return self

    @property
    def max_tokens(self) -> int | None:
        """Return how many tokens of an answer the model reads (the rest is cut off), from its folder's config; None = no limit known."""
        import json

        config = Path(self.name_or_path) / "sentence_bert_config.json"
        with contextlib.suppress(OSError, ValueError):
            return json.loads(config.read_text(encoding="utf-8")).get("max_seq_length")
        return None

    @property
    def dim(self) -> int:
        self.initialize()
        return int(self._model.get_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalized float32 row per text."""
        self.initialize()
        vectors = self._model.encode(
            list(texts), prompt=self.prompt or None, batch_size=self.batch_size,
            normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class OnnxEmbedder:
    """A bundled model through ONNX Runtime (backend ``onnx`` or ``onnx-int8``), from its exported folder.

    Texts are tokenized by the model's own tokenizer (prompt first, cut at ``max_tokens``), run
    shortest first in batches of ``batch_size``, mean-pooled over their tokens and L2-normalized,
    as the sentence-transformers folder does. ``threads`` None lets ONNX Runtime use every core.
    """

    def __init__(
        self, folder: str, model_id: str, checksum: str, prompt: str = "", batch_size: int = 16,
        backend: str = "onnx-int8", threads: int | None = None, max_tokens: int = 512,
    ) -> None:
        self.folder = folder
        self.model_id = model_id
        self.checksum = checksum
        self.prompt = prompt
        self.batch_size = batch_size
        self.backend = backend
        self.threads = threads
        self.max_tokens = max_tokens
        self._session = None
        self._tokenizer = None

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_session": None, "_tokenizer": None}  # sent to other processes (Dask) unloaded

    def initialize(self) -> "OnnxEmbedder":
        """Load the tokenizer and the ONNX Runtime session (once); returns self."""
        if self._session is None:
            import onnxruntime
            from tokenizers import Tokenizer

            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.inter_op_num_threads = 1
            if self.threads:
                options.intra_op_num_threads = self.threads
            folder = Path(self.folder)
            try:
                tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
                self._session = onnxruntime.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
            except Exception as exc:  # noqa: BLE001 - a missing or damaged file, whatever the library calls it
                raise AvovastausError("E203", name=self.model_id, path=self.folder, detail=str(exc).splitlines()[0][:200]) from None
            tokenizer.enable_truncation(self.max_tokens)
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self

    @property
    def dim(self) -> int:
        self.initialize()
        return int(self._session.get_outputs()[0].shape[-1])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one L2-normalized float32 row per text."""
        self.initialize()
        encodings = self._tokenizer.encode_batch([self.prompt + t for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = int(lengths[rows].max())
            ids = np.ones((len(rows), width), dtype=np.int64)  # 1 = <pad>; masked out below
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, j in enumerate(rows):
                ids[r, : lengths[j]] = encodings[j].ids
                mask[r, : lengths[j]] = 1
            hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
            out[rows] = unit_rows(pooled)
        return out


def _hub_checksum(name: str) -> str | None:
    """Return the commit hash of a model in the local Hugging Face cache, or None."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(name, local_files_only=True))
        return path.name
    except Exception:  # noqa: BLE001 - any failure means "not in the local cache"
        return None


def resolve_backend(name: str, backend: str = "auto") -> str:
    """Return the backend that ``backend`` means for embedder ``name``: ``auto`` is ``onnx-int8`` for e5-small, else ``torch``."""
    if backend == "auto":
        return "onnx-int8" if name in EXPORTABLE else "torch"
    return backend


def needs_build(name: str, backend: str = "auto") -> bool:
    """Return True when embedder ``name`` is a bundled model whose folder (for ``backend``) is not built yet."""
    return name in BUILT_MODELS and not is_built(name, backend=resolve_backend(name, backend))


def resolve_embedder(
    name: str, prompt: str | None = None, batch_size: int | None = None, build: bool = True, backend: str = "auto",
) -> "SentenceTransformerEmbedder | OnnxEmbedder":
    """Return an embedder for ``name``: a bundled model (built on first use), a folder, or a cached hub model.

    ``prompt`` None means the model's clustering prompt (``query: `` for e5-small, none otherwise);
    ``batch_size`` None the backend's best (32 for torch, 16 for ONNX, measured on 2 cores).
    """
    backend = resolve_backend(name, backend)
    if backend != "torch":
        if name not in EXPORTABLE:
            raise AvovastausError("E204", name=name, backend=backend, exportable=", ".join(EXPORTABLE))
        folder = build_model(name, backend=backend) if build else None
        info = read_info(folder) if folder else None
        if info is None:
            raise AvovastausError("E203", name=name, path=folder, detail="not built")
        return OnnxEmbedder(str(folder), model_id=name, checksum=info.checksum, prompt=info.clustering_prompt if prompt is None else prompt,
                            batch_size=batch_size or 16, backend=backend)
    if name in BUILT_MODELS:
        folder = build_model(name) if build else None
        info = read_info(folder) if folder else None
        if info is None:
            raise AvovastausError("E203", name=name, path=folder, detail="not built")
        default_prompt, checksum, path = info.clustering_prompt, info.checksum, str(folder)
    elif Path(name).expanduser().is_dir():
        folder = Path(name).expanduser().resolve()
        info = read_info(folder)
        checksum = info.checksum if info else folder_checksum(folder)
        default_prompt = info.clustering_prompt if info else ""
        path = str(folder)
    else:
        checksum = _hub_checksum(name)
        if checksum is None:
            raise AvovastausError("E201", name=name)
        default_prompt, path = "", name
    return SentenceTransformerEmbedder(path, model_id=name, checksum=checksum, prompt=default_prompt if prompt is None else prompt, batch_size=batch_size or 32)


def embedding_plan(texts: Sequence[str], chunk: int) -> list[list[int]]:
    """Return positions of ``texts`` in chunks of ``chunk``, shortest texts first (ties: in order).

    Texts of like length share a batch, so little padding is computed (measured 1.17x less CPU
    for e5-small). The plan depends on the texts only, so a run that embeds its chunks on other
    machines (Dask) gives every chunk the same texts, and the same vectors, as a local run.
    """
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), i))
    return [order[start : start + chunk] for start in range(0, len(order), chunk)]


def encode_chunks(embedder: Embedder, chunks: Sequence[Sequence[str]]) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(chunk number, vectors)`` for each chunk: the embedder's own ``encode_chunks`` (Dask), else one by one here."""
    own = getattr(embedder, "encode_chunks", None)
    if own is not None:
        yield from own(chunks)
        return
    for number, texts in enumerate(chunks):
        yield number, embedder.encode(texts)


def embed(
    embedder: Embedder,
    texts: Sequence[str],
    cache_dir: Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    chunk: int = 256,
) -> tuple[np.ndarray, dict[str, int]]:
    """Return (one vector per text, cache statistics); only texts missing from the cache are embedded.

    The vectors are written into one float32 matrix as they arrive (from the cache, or chunk by chunk);
    when no text repeats, that matrix is returned as it is (no further copy: it matters at a million answers).
    """
    unique = list(dict.fromkeys(texts))
    stats = {"texts": len(texts), "unique": len(unique), "hits": 0, "misses": len(unique), "corrupt": 0}
    found: dict[int, np.ndarray] = {}
    missing = list(range(len(unique)))
    cache = None
    if use_cache:
        key = namespace(embedder.model_id, embedder.checksum, embedder.prompt, getattr(embedder, "backend", "torch"))
        cache = EmbeddingCache(cache_dir or default_cache_dir(), key)
        found, missing = cache.get(unique)
        stats.update({k: cache.stats[k] for k in ("hits", "misses", "corrupt")})
    if progress:
        progress(len(unique) - len(missing))
    matrix: np.ndarray | None = None

    def place(ids: Sequence[int], rows: Sequence[np.ndarray] | np.ndarray) -> None:
        nonlocal matrix
        if matrix is None:
            matrix = np.empty((len(unique), len(rows[0])), dtype=np.float32)
        matrix[list(ids)] = rows

    hits = list(found)
    for start in range(0, len(hits), 65_536):
        block = hits[start : start + 65_536]
        place(block, np.stack([found.pop(i) for i in block]))
    plan = [[missing[j] for j in part] for part in embedding_plan([unique[i] for i in missing], chunk)]
    for number, encoded in encode_chunks(embedder, [[unique[i] for i in ids] for ids in plan]):
        ids = plan[number]
        if cache is not None:  # filled as chunks come back, so an interrupted run keeps what it embedded
            cache.put([unique[i] for i in ids], encoded)
        place(ids, encoded)
        if progress:
            progress(len(ids))
    if cache is not None and cache.stats.get("unsaved"):
        stats["unsaved"] = cache.stats["unsaved"]  # vectors the cache could not store (disk full, read-only): the next run embeds them again
    if matrix is None:
        return np.zeros((0, 0), dtype=np.float32), stats
    if len(unique) == len(texts):
        return matrix, stats
    position = {t: i for i, t in enumerate(unique)}
    return matrix[[position[t] for t in texts]], stats
