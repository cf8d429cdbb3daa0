"""A BERT encoder in NumPy: runs a sentence-transformers BERT model directory (all-MiniLM-L6-v2,
bge-small, e5-small, gte-small...) from its ``model.safetensors`` and ``tokenizer.json``, without
PyTorch (about 700 MB) or sentence-transformers.

Used by ``CHROMA_EMBEDDING=local`` when the directory holds a BERT (``config.json`` says
``"model_type": "bert"``). The forward pass is the textbook one: embeddings (word + position + token
type) and LayerNorm, then per layer multi-head self-attention with the padding masked, residual and
LayerNorm, a GELU feed-forward, residual and LayerNorm; then the mean of the token vectors (or the
first token, as ``1_Pooling/config.json`` says). Checked against the published similarities of
all-MiniLM-L6-v2 (see ``tests/sessions_app/test_search_embeddings.py`` and the README).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sessions_app.archive.search.embeddings import Vectors, normalise

Array = np.ndarray[Any, np.dtype[np.float32]]
BATCH = 32


def _erf(x: Array) -> Array:
    """erf to about 1e-7 (Abramowitz and Stegun 7.1.26); NumPy has none and SciPy is not needed."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    result: Array = (sign * (1.0 - poly * np.exp(-a * a))).astype(np.float32)
    return result


def gelu(x: Array) -> Array:
    """BERT's exact GELU: x * Phi(x)."""
    result: Array = (0.5 * x * (1.0 + _erf(x / np.float32(math.sqrt(2.0))))).astype(np.float32)
    return result


def layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    result: Array = ((x - mean) / np.sqrt(var + eps) * weight + bias).astype(np.float32)
    return result


class BertEncoder:
    """Token vectors of a BERT model for a batch of token ids (padded, with their attention mask)."""

    def __init__(self, weights: dict[str, Array], config: dict[str, Any]) -> None:
        prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
        self.w = {name[len(prefix) :]: np.asarray(v, dtype=np.float32) for name, v in weights.items()
                  if name.startswith(prefix) and v.dtype.kind == "f"}  # fmt: skip
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.hidden = int(config["hidden_size"])
        self.transposed: dict[str, Array] = {}
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config.get('hidden_act')!r} (only gelu)")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("only absolute position embeddings are supported")

    def _linear(self, x: Array, name: str) -> Array:
        # Weights transposed once into contiguous arrays, inputs flattened to 2-D: NumPy hands that to
        # BLAS (a 3-D input against a transposed view took a slow path, 40 times slower).
        weight = self.transposed.get(name)
        if weight is None:
            weight = self.transposed[name] = np.ascontiguousarray(self.w[f"{name}.weight"].T)
        flat = x.reshape(-1, x.shape[-1])
        result: Array = (flat @ weight + self.w[f"{name}.bias"]).reshape(*x.shape[:-1], weight.shape[1])
        return result

    def __call__(self, ids: np.ndarray[Any, np.dtype[np.int64]], mask: Array) -> Array:
        batch, length = ids.shape
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        size = self.hidden // self.heads
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]  # padding gets no attention
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def split(t: Array) -> Array:
                result: Array = t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)
                return result

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(math.sqrt(size)) + blocked
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            attention = scores / scores.sum(axis=-1, keepdims=True)
            context = (attention @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.hidden)
            out = self._linear(context, f"{p}.attention.output.dense")
            x = layer_norm(x + out, w[f"{p}.attention.output.LayerNorm.weight"],
                           w[f"{p}.attention.output.LayerNorm.bias"], self.eps)  # fmt: skip
            h = gelu(self._linear(x, f"{p}.intermediate.dense"))
            out = self._linear(h, f"{p}.output.dense")
            x = layer_norm(
                x + out, w[f"{p}.output.LayerNorm.weight"], w[f"{p}.output.LayerNorm.bias"], self.eps
            )
        return x.astype(np.float32)


class BertEmbedder:
    """Texts → unit vectors with a sentence-transformers BERT directory."""

    def __init__(self, folder: Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.encoder = BertEncoder(load_file(str(folder / "model.safetensors")), config)
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        limit = _json(folder / "sentence_bert_config.json").get("max_seq_length")
        limit = min(
            int(limit or config.get("max_position_embeddings", 512)), int(config["max_position_embeddings"])
        )
        self.tokenizer.enable_truncation(max_length=limit)
        self.tokenizer.no_padding()
        pooling = _json(folder / "1_Pooling" / "config.json")
        self.cls = bool(pooling.get("pooling_mode_cls_token")) and not pooling.get("pooling_mode_mean_tokens")
        self.lock = threading.Lock()  # the tokenizer's settings are shared state

    def __call__(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.encoder.hidden), dtype=np.float32)
        with self.lock:
            encoded = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), self.encoder.hidden), dtype=np.float32)
        # Similar lengths together: padding costs as much as real tokens.
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))
        for start in range(0, len(order), BATCH):
            chunk = order[start : start + BATCH]
            length = max(len(encoded[i].ids) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i].ids)] = encoded[i].ids
                mask[row, : len(encoded[i].ids)] = 1.0
            tokens = self.encoder(ids, mask)
            if self.cls:
                pooled = tokens[:, 0, :]
            else:
                pooled = (tokens * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[:, None]
            out[chunk] = pooled
        return normalise(out)


def _json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def is_bert_directory(folder: Path) -> bool:
    return (folder / "model.safetensors").is_file() and _json(folder / "config.json").get(
        "model_type"
    ) == "bert"
