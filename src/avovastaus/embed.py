"""Sentence embeddings: the ``Embedder`` protocol, the sentence-transformers backend, and cached embedding.

Names: ``e5-small`` (default) and ``static-fi`` are built locally on first use (see
``modelbuild``); anything else is a sentence-transformers folder or a model already in
the local Hugging Face cache. The hub is never contacted: offline mode is forced.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

from .cache import EmbeddingCache, default_cache_dir, namespace
from .errors import AvovastausError
from .modelbuild import BUILT_MODELS, build_model, folder_checksum, quiet_transformers, read_info

# Survey answers are personal data and there is no hub here: never let a library reach the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


class Embedder(Protocol):
    """Turns texts into L2-normalized float32 vectors; ``model_id``/``checksum``/``prompt`` key the cache."""

    model_id: str
    checksum: str
    prompt: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a local folder or the local Hugging Face cache."""

    def __init__(self, name_or_path: str, model_id: str, checksum: str, prompt: str = "", batch_size: int = 32) -> None:
        self.name_or_path = name_or_path
        self.model_id = model_id
        self.checksum = checksum
        self.prompt = prompt
        self.batch_size = batch_size
        self._model = None

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


def _hub_checksum(name: str) -> str | None:
    """Return the commit hash of a model in the local Hugging Face cache, or None."""
    try:
        from huggingface_hub import snapshot_download

        path = Path(snapshot_download(name, local_files_only=True))
        return path.name
    except Exception:  # noqa: BLE001 - any failure means "not in the local cache"
        return None


def resolve_embedder(name: str, prompt: str | None = None, batch_size: int = 32, build: bool = True) -> SentenceTransformerEmbedder:
    """Return an embedder for ``name``: a bundled model (built on first use), a folder, or a cached hub model.

    ``prompt`` None means the model's clustering prompt (``query: `` for e5-small, none otherwise).
    """
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
    return SentenceTransformerEmbedder(path, model_id=name, checksum=checksum, prompt=default_prompt if prompt is None else prompt, batch_size=batch_size)


def embed(
    embedder: Embedder,
    texts: Sequence[str],
    cache_dir: Path | None = None,
    use_cache: bool = True,
    progress: Progress | None = None,
    chunk: int = 256,
) -> tuple[np.ndarray, dict[str, int]]:
    """Return (one vector per text, cache statistics); only texts missing from the cache are embedded."""
    unique = list(dict.fromkeys(texts))
    stats = {"texts": len(texts), "unique": len(unique), "hits": 0, "misses": len(unique), "corrupt": 0}
    vectors: dict[int, np.ndarray] = {}
    missing = list(range(len(unique)))
    cache = None
    if use_cache:
        cache = EmbeddingCache(cache_dir or default_cache_dir(), namespace(embedder.model_id, embedder.checksum, embedder.prompt))
        vectors, missing = cache.get(unique)
        stats.update({k: cache.stats[k] for k in ("hits", "misses", "corrupt")})
    if progress:
        progress(len(unique) - len(missing))
    for start in range(0, len(missing), chunk):
        ids = missing[start : start + chunk]
        batch = [unique[i] for i in ids]
        encoded = embedder.encode(batch)
        if cache is not None:
            cache.put(batch, encoded)
        vectors.update(zip(ids, encoded))
        if progress:
            progress(len(ids))
    if cache is not None and cache.stats.get("unsaved"):
        stats["unsaved"] = cache.stats["unsaved"]  # vectors the cache could not store (disk full, read-only): the next run embeds them again
    if not unique:
        return np.zeros((0, 0), dtype=np.float32), stats
    matrix = np.stack([vectors[i] for i in range(len(unique))]).astype(np.float32)
    position = {t: i for i, t in enumerate(unique)}
    return matrix[[position[t] for t in texts]], stats
