"""The embeddings: the bundled WordLlama model (loaded with no network), operator-provided ONNX
models, and the lexical fallback."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sessions_app.archive.search import bundled_model, local_model, selection
from sessions_app.archive.search.embeddings import EmbeddingUnavailable, lexical_embed

CONVERSATION = [
    "Since my father passed away I keep setting a plate for him at dinner.",
    "My manager keeps piling projects on me and I stay at the office until ten.",
    "I can't fall asleep before four in the morning, my mind races.",
    "We went hiking on Saturday and the weather was lovely.",
    "My heart pounds and I can't breathe when I'm on a crowded train.",
    "I drank a whole bottle of wine again last night, I need it to unwind.",
    "My girlfriend and I argue constantly about money.",
]
# Queries that share no word with the message they should find.
PARAPHRASES = {
    "grief after losing a parent": 0,
    "overworked and exhausted by my job": 1,
    "insomnia": 2,
    "panic attacks in public transport": 4,
    "alcohol dependence": 5,
    "relationship conflict": 6,
}


def best(embed: Any, query: str) -> int:
    vectors = embed(CONVERSATION)
    return int(np.argmax(vectors @ embed([query])[0]))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every attempt to open a connection is recorded and refused."""
    attempts: list[Any] = []

    def refuse(self: socket.socket, address: Any, *args: Any) -> Any:
        attempts.append(address)
        raise OSError("network access is not allowed in this test")

    def refuse_create(address: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(address)
        raise OSError("network access is not allowed in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse_create)
    return attempts


# ---------------------------------------------------------------------------- the bundled model


def test_the_bundled_model_loads_from_the_package_without_opening_a_socket(
    no_network: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no model cache of a previous run to fall back on
    bundled_model.forget_loaded_model()
    try:
        chosen = bundled_model.load_wordllama()
    finally:
        bundled_model.forget_loaded_model()
    assert no_network == []
    assert chosen.semantic
    assert chosen.dimensions == 256
    assert chosen.key.startswith("wordllama-l2_supercat-256@0.4")
    assert chosen.embed(["grief"]).shape == (1, 256)
    assert not (tmp_path / ".cache").exists()  # nothing downloaded or cached anywhere


def test_wordllama_on_its_own_looks_in_the_wrong_folder(
    no_network: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why the package folder is passed as the cache: without it, 0.4 misses its own tokenizer (and
    would download it, were downloads allowed)."""
    from wordllama import WordLlama

    monkeypatch.setattr(WordLlama, "DEFAULT_CACHE_DIR", tmp_path / "cache")
    with pytest.raises(FileNotFoundError, match="downloads are disabled"):
        WordLlama.load(disable_download=True)
    assert no_network == []


def test_the_bundled_model_finds_meaning_without_shared_words() -> None:
    model = bundled_model.load_wordllama()
    for query, expected in PARAPHRASES.items():
        assert best(model.embed, query) == expected, query


def test_the_lexical_embedding_does_not() -> None:
    found = sum(best(lexical_embed, query) == expected for query, expected in PARAPHRASES.items())
    assert found <= 2


def test_vectors_are_unit_length_even_for_empty_and_symbol_only_text() -> None:
    vectors = bundled_model.load_wordllama().embed(["", "🙂🙂", "...", "死にたいほど疲れた", "grief"])
    assert np.all(np.isfinite(vectors))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_a_huge_message_is_embedded_like_its_beginning_at_bounded_cost() -> None:
    model = bundled_model.load_wordllama()
    huge = "I miss my mother every single day. " * 20_000  # ~700,000 characters
    vectors = model.embed([huge, "short", huge[:2000]])
    assert vectors.shape == (3, 256)
    assert float(vectors[0] @ vectors[2]) > 0.99  # the mean no longer moves after MAX_TOKENS


def test_a_batch_gives_the_same_vectors_as_one_at_a_time() -> None:
    model = bundled_model.load_wordllama()
    together = model.embed(CONVERSATION)
    alone = np.stack([model.embed([text])[0] for text in CONVERSATION])
    assert np.allclose(together, alone, atol=1e-6)


# ---------------------------------------------------------------------------- an operator's model

TOPICS = {
    "loss": ["grief", "mourning", "bereavement", "funeral", "died"],
    "sleep": ["insomnia", "awake", "sleep", "night", "tired"],
    "work": ["job", "boss", "office", "deadline", "overtime"],
}


def write_onnx_model(folder: Path, *, seed: int = 0) -> Path:
    """A tiny real ONNX text model: a token-embedding table (words of one topic share a direction)
    behind a Gather, with a WordLevel tokenizer.json, as a sentence-transformers export has."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    vocab = {"[PAD]": 0, "[UNK]": 1}
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(len(TOPICS), 16))
    rows = [np.zeros(16), rng.normal(size=16) * 0.01]
    for topic, words in enumerate(TOPICS.values()):
        for word in words:
            vocab[word] = len(vocab)
            rows.append(directions[topic] + rng.normal(size=16) * 0.05)
    table = numpy_helper.from_array(np.array(rows, dtype=np.float32), name="table")
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["last_hidden_state"])],
        "tiny",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "seq", 16])],
        initializer=[table],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(folder / "model.onnx"))
    tokenizer = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    return folder


@pytest.fixture(autouse=True)
def _fresh_local_models() -> Iterator[None]:
    local_model.forget_loaded_models()
    yield
    local_model.forget_loaded_models()


def test_an_onnx_model_directory_is_loaded_and_used(tmp_path: Path, no_network: list[Any]) -> None:
    chosen = selection.choose("local", local_path=str(write_onnx_model(tmp_path / "model")))
    assert chosen.semantic
    assert chosen.dimensions == 16
    assert "ONNX" in chosen.label
    vectors = chosen.embed(["mourning at the funeral", "grief", "awake all night", "my boss", ""])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert float(vectors[0] @ vectors[1]) > 0.9  # same topic, no shared word
    assert float(vectors[0] @ vectors[2]) < 0.6
    assert no_network == []


def test_padding_does_not_change_a_vector(tmp_path: Path) -> None:
    chosen = selection.choose("local", local_path=str(write_onnx_model(tmp_path / "model")))
    together = chosen.embed(["grief", "awake all night long tired insomnia"])
    alone = chosen.embed(["grief"])
    assert np.allclose(together[0], alone[0], atol=1e-6)


def test_another_model_file_gets_another_index_key(tmp_path: Path) -> None:
    first = selection.choose("local", local_path=str(write_onnx_model(tmp_path / "a", seed=1)))
    second = selection.choose("local", local_path=str(write_onnx_model(tmp_path / "b", seed=2)))
    assert first.key != second.key
    assert first.key.startswith("local-onnx-")


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        ("missing", "is not a directory"),
        ("empty", "neither model.onnx"),
        ("no-tokenizer", "no tokenizer.json"),
        ("sentence-transformers", "install the sentence-transformers package"),
        ("broken", "could not be loaded"),
    ],
)
def test_a_model_directory_that_cannot_be_used_says_why(tmp_path: Path, layout: str, message: str) -> None:
    folder = tmp_path / "model"
    if layout != "missing":
        folder.mkdir()
    if layout == "no-tokenizer":
        (folder / "model.onnx").write_bytes(b"x")
    if layout == "sentence-transformers":
        (folder / "model.safetensors").write_bytes(b"x")
        (folder / "modules.json").write_text("[]")
    if layout == "broken":
        write_onnx_model(folder)
        (folder / "model.onnx").write_bytes(b"not an onnx model")
    with pytest.raises(EmbeddingUnavailable, match=message):
        selection.choose("local", local_path=str(folder))


def test_local_without_a_path_is_refused() -> None:
    with pytest.raises(EmbeddingUnavailable, match="CHROMA_EMBEDDING_PATH"):
        selection.choose("local", local_path="")


# ---------------------------------------------------------------------------- a BERT directory, no PyTorch


def write_bert_model(folder: Path, *, seed: int = 3) -> dict[str, np.ndarray[Any, Any]]:
    """A tiny random BERT (2 layers, 2 heads, hidden 8) saved as sentence-transformers saves one."""
    import json

    from safetensors.numpy import save_file
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    rng = np.random.default_rng(seed)
    hidden, inner, vocab = 8, 16, ["[PAD]", "[UNK]", "grief", "sleep", "work", "my", "dad", "died", "night"]

    def r(*shape: int) -> np.ndarray[Any, Any]:
        return rng.normal(scale=0.5, size=shape).astype(np.float32)

    weights = {
        "embeddings.word_embeddings.weight": r(len(vocab), hidden),
        "embeddings.position_embeddings.weight": r(16, hidden),
        "embeddings.token_type_embeddings.weight": r(2, hidden),
        "embeddings.LayerNorm.weight": 1 + r(hidden) * 0.1,
        "embeddings.LayerNorm.bias": r(hidden) * 0.1,
        "embeddings.position_ids": np.arange(16, dtype=np.int64)[None, :],
    }
    for i in range(2):
        p = f"encoder.layer.{i}"
        for name, (rows, cols) in {
            "attention.self.query": (hidden, hidden), "attention.self.key": (hidden, hidden),
            "attention.self.value": (hidden, hidden), "attention.output.dense": (hidden, hidden),
            "intermediate.dense": (inner, hidden), "output.dense": (hidden, inner),
        }.items():  # fmt: skip
            weights[f"{p}.{name}.weight"] = r(rows, cols)
            weights[f"{p}.{name}.bias"] = r(rows) * 0.1
        for name in ("attention.output.LayerNorm", "output.LayerNorm"):
            weights[f"{p}.{name}.weight"] = 1 + r(hidden) * 0.1
            weights[f"{p}.{name}.bias"] = r(hidden) * 0.1
    folder.mkdir(parents=True)
    save_file(weights, str(folder / "model.safetensors"))
    config = {"model_type": "bert", "hidden_size": hidden, "num_hidden_layers": 2, "num_attention_heads": 2,
              "intermediate_size": inner, "hidden_act": "gelu", "layer_norm_eps": 1e-12,
              "max_position_embeddings": 16, "vocab_size": len(vocab)}  # fmt: skip
    (folder / "config.json").write_text(json.dumps(config))
    tokenizer = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(vocab)}, unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.Lowercase()
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.save(str(folder / "tokenizer.json"))
    return weights


def reference_bert(weights: dict[str, Any], ids: list[int]) -> list[float]:
    """The BERT forward pass written out token by token, with math.erf: what the NumPy one must equal."""
    import math

    def vec(name: str) -> list[float]:
        return [float(x) for x in weights[name]]

    def linear(x: list[float], name: str) -> list[float]:
        w, b = weights[f"{name}.weight"], weights[f"{name}.bias"]
        return [sum(float(w[o][i]) * x[i] for i in range(len(x))) + float(b[o]) for o in range(len(b))]

    def norm(x: list[float], name: str) -> list[float]:
        mean = sum(x) / len(x)
        var = sum((v - mean) ** 2 for v in x) / len(x)
        g, b = vec(f"{name}.weight"), vec(f"{name}.bias")
        return [(v - mean) / math.sqrt(var + 1e-12) * g[i] + b[i] for i, v in enumerate(x)]

    emb = weights["embeddings.word_embeddings.weight"]
    pos, typ = (
        weights["embeddings.position_embeddings.weight"],
        weights["embeddings.token_type_embeddings.weight"],
    )
    xs = [norm([float(emb[t][d] + pos[n][d] + typ[0][d]) for d in range(8)], "embeddings.LayerNorm")
          for n, t in enumerate(ids)]  # fmt: skip
    for layer in range(2):
        p = f"encoder.layer.{layer}"
        q = [linear(x, f"{p}.attention.self.query") for x in xs]
        k = [linear(x, f"{p}.attention.self.key") for x in xs]
        v = [linear(x, f"{p}.attention.self.value") for x in xs]
        context = []
        for n in range(len(xs)):
            row: list[float] = []
            for h in range(2):
                part = slice(h * 4, h * 4 + 4)
                scores = [sum(a * b for a, b in zip(q[n][part], k[m][part], strict=True)) / 2.0
                          for m in range(len(xs))]  # fmt: skip
                top = max(scores)
                exps = [math.exp(s - top) for s in scores]
                weights_ = [e / sum(exps) for e in exps]
                row += [sum(weights_[m] * v[m][part][d] for m in range(len(xs))) for d in range(4)]
            context.append(row)
        xs = [norm([a + b for a, b in zip(x, linear(c, f"{p}.attention.output.dense"), strict=True)],
                   f"{p}.attention.output.LayerNorm") for x, c in zip(xs, context, strict=True)]  # fmt: skip
        inner = [[0.5 * u * (1 + math.erf(u / math.sqrt(2))) for u in linear(x, f"{p}.intermediate.dense")]
                 for x in xs]  # fmt: skip
        xs = [norm([a + b for a, b in zip(x, linear(h, f"{p}.output.dense"), strict=True)],
                   f"{p}.output.LayerNorm") for x, h in zip(xs, inner, strict=True)]  # fmt: skip
    mean = [sum(x[d] for x in xs) / len(xs) for d in range(8)]
    length = math.sqrt(sum(m * m for m in mean))
    return [m / length for m in mean]


def test_a_bert_directory_runs_without_pytorch_exactly_as_the_textbook_forward_pass(tmp_path: Path) -> None:
    weights = write_bert_model(tmp_path / "bert")
    chosen = selection.choose("local", local_path=str(tmp_path / "bert"))
    assert "BERT (NumPy)" in chosen.label
    assert chosen.key.startswith("local-bert-")
    texts = ["my dad died", "grief", "sleep night work my dad"]
    vectors = chosen.embed(texts)  # one padded batch: padding must change nothing
    for text, vector in zip(texts, vectors, strict=True):
        ids = [["[PAD]", "[UNK]", "grief", "sleep", "work", "my", "dad", "died", "night"].index(w)
               for w in text.split()]  # fmt: skip
        assert np.allclose(vector, reference_bert(weights, ids), atol=1e-5)


def test_a_bert_with_another_activation_is_refused_clearly(tmp_path: Path) -> None:
    import json

    write_bert_model(tmp_path / "bert")
    config = json.loads((tmp_path / "bert" / "config.json").read_text())
    (tmp_path / "bert" / "config.json").write_text(json.dumps({**config, "hidden_act": "relu"}))
    with pytest.raises(EmbeddingUnavailable, match="unsupported activation"):
        selection.choose("local", local_path=str(tmp_path / "bert"))
