"""``CHROMA_EMBEDDING=local``: a model directory an operator provides (``CHROMA_EMBEDDING_PATH``).

Three layouts are understood, all loaded from disk only:
- an ONNX export: ``model.onnx`` (or ``onnx/model.onnx``, as sentence-transformers repositories ship
  it) with ``tokenizer.json``; run with onnxruntime (installed with chromadb), mean-pooled over the
  attention mask (or the first token when ``1_Pooling/config.json`` says CLS);
- a sentence-transformers BERT directory (``model.safetensors``, ``config.json`` with
  ``"model_type": "bert"``, ``tokenizer.json``; e.g. all-MiniLM-L6-v2): run by ``bert_numpy.py``,
  no PyTorch needed;
- any other sentence-transformers directory, when the ``sentence-transformers`` package is installed
  (it is not a dependency of this product: install it yourself if you need it).

The index key includes a digest of the model file, so replacing the model re-indexes.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sessions_app.archive.search.bert_numpy import BertEmbedder, is_bert_directory
from sessions_app.archive.search.embeddings import Embedding, EmbeddingUnavailable, Vectors, normalise

DEFAULT_MAX_TOKENS = 256
BATCH = 32

_lock = threading.Lock()
_loaded: dict[str, Embedding] = {}


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


class _OnnxEmbedder:
    def __init__(self, folder: Path, model: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # a web process serves many requests; one core each
        self.session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        limit = _json(folder / "sentence_bert_config.json").get("max_seq_length", DEFAULT_MAX_TOKENS)
        self.tokenizer.enable_truncation(max_length=int(limit))
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id("[PAD]") or 0)
        pooling = _json(folder / "1_Pooling" / "config.json")
        self.cls = bool(pooling.get("pooling_mode_cls_token")) and not pooling.get("pooling_mode_mean_tokens")
        self.lock = threading.Lock()

    def _batch(self, texts: list[str]) -> Vectors:
        with self.lock:
            encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        output = np.asarray(self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0])
        if output.ndim == 2:  # the export already pools
            return output.astype(np.float32)
        if self.cls:
            return output[:, 0, :].astype(np.float32)
        weights = mask[..., None].astype(np.float32)
        pooled: Vectors = ((output * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)).astype(
            np.float32
        )
        return pooled

    def __call__(self, texts: Sequence[str]) -> Vectors:
        rows = [self._batch(list(texts[i : i + BATCH])) for i in range(0, len(texts), BATCH)]
        if not rows:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise(np.concatenate(rows).astype(np.float32))


class _SentenceTransformerEmbedder:
    def __init__(self, folder: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local directory; never ask the model hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)

    def __call__(self, texts: Sequence[str]) -> Vectors:
        vectors = self.model.encode(list(texts), batch_size=BATCH, convert_to_numpy=True)
        return normalise(np.asarray(vectors, dtype=np.float32))


def _build(folder: Path) -> Embedding:
    if not folder.is_dir():
        raise EmbeddingUnavailable(f"CHROMA_EMBEDDING_PATH {str(folder)!r} is not a directory")
    model = next((p for p in (folder / "model.onnx", folder / "onnx" / "model.onnx") if p.is_file()), None)
    embedder: Any
    if model is not None:
        if not (folder / "tokenizer.json").is_file():
            raise EmbeddingUnavailable(f"{folder} has {model.name} but no tokenizer.json next to it")
        try:
            embedder = _OnnxEmbedder(folder, model)
        except Exception as exc:  # onnxruntime and tokenizers raise their own types
            raise EmbeddingUnavailable(f"the ONNX model in {folder} could not be loaded: {exc}") from exc
        key, kind = f"local-onnx-{_digest(model)}", "ONNX"
    elif is_bert_directory(folder):
        try:
            embedder = BertEmbedder(folder)
        except Exception as exc:  # safetensors, tokenizers and a bad config raise their own types
            raise EmbeddingUnavailable(f"the BERT model in {folder} could not be loaded: {exc}") from exc
        key, kind = f"local-bert-{_digest(folder / 'model.safetensors')}", "BERT (NumPy)"
    else:
        weights = sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin"))
        if not weights:
            raise EmbeddingUnavailable(
                f"{folder} holds neither model.onnx (+ tokenizer.json) nor sentence-transformers weights"
            )
        try:
            embedder = _SentenceTransformerEmbedder(folder)
        except ImportError as exc:
            raise EmbeddingUnavailable(
                f"{folder} is a sentence-transformers model: install the sentence-transformers package, "
                "or export the model to ONNX (model.onnx + tokenizer.json)"
            ) from exc
        except Exception as exc:
            raise EmbeddingUnavailable(f"the model in {folder} could not be loaded: {exc}") from exc
        key, kind = f"local-st-{_digest(weights[0])}", "sentence-transformers"
    dimensions = int(embedder(["dimension probe"]).shape[1])
    return Embedding(
        embed=embedder,
        key=key,
        label=f"local {kind} model {folder.name} ({dimensions} dimensions; semantic)",
        semantic=True,
        dimensions=dimensions,
    )


def load_local(path: str) -> Embedding:
    """The operator's model at ``path``, loaded once per process."""
    if not path:
        raise EmbeddingUnavailable("CHROMA_EMBEDDING=local needs CHROMA_EMBEDDING_PATH (a model directory)")
    folder = Path(path).expanduser().resolve()
    with _lock:
        if str(folder) not in _loaded:
            _loaded[str(folder)] = _build(folder)
        return _loaded[str(folder)]


def forget_loaded_models() -> None:
    with _lock:
        _loaded.clear()
