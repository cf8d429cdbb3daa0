"""The embeddings of the search index, chosen by ``CHROMA_EMBEDDING``; none of them downloads anything.

- ``wordllama`` (default): the 256-dimensional WordLlama model that ships inside its PyPI wheel
  (``bundled_model.py``). Semantic: "since my father passed away" is near "grief".
- ``local``: a sentence-transformers or ONNX model directory an operator provides
  (``CHROMA_EMBEDDING_PATH``; ``local_model.py``).
- ``lexical``: ``LexicalHashEmbedding``, a hashed bag of words and character trigrams. LEXICAL, NOT
  SEMANTIC: it finds shared words and word parts ("anxious" ~ "anxiety"), never synonyms.

Every embedding returns L2-normalised float32 rows, so the index's cosine space compares them. The
index is told the vectors, never asked to compute them: each collection carries the key of the
embedding that built it, and a different key means "rebuild" (see ``chroma.py``).
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

Vectors = np.ndarray[Any, np.dtype[np.float32]]

LEXICAL_DIMENSIONS = 256
WORD = re.compile(r"\w+", re.UNICODE)
# The most frequent English function words carry no meaning for search and would dominate the vector.
_STOPWORDS_TEXT = (
    "a an and are as at be been but by do for from had has have he her him his i if in is it its me my "
    "no not of on or our she so that the their them then there they this to was we were what when "
    "which who will with you your"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split(" "))


class EmbeddingUnavailable(Exception):
    """The configured embedding cannot be loaded (a missing or broken model directory, say)."""


@dataclass(frozen=True)
class Embedding:
    """One way of turning texts into unit vectors, and how the index and ``/healthz`` name it."""

    embed: Callable[[Sequence[str]], Vectors]
    key: str  # stored with the index: another key means the index must be rebuilt
    label: str  # for people: /healthz, command output
    semantic: bool
    dimensions: int


def normalise(rows: Vectors) -> Vectors:
    """Unit rows; a zero row (a text with no known token) becomes a fixed unit vector, never NaN."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    empty = norms[:, 0] == 0.0
    if empty.any():
        rows[empty] = 0.0
        rows[empty, 0] = 1.0
        norms[empty] = 1.0
    unit: Vectors = (rows / norms).astype(np.float32, copy=False)
    return unit


# ---------------------------------------------------------------------------- lexical


@lru_cache(maxsize=200_000)
def _features(word: str) -> tuple[tuple[int, float], ...]:
    """(dimension, signed weight) pairs of one word: the word itself and its character trigrams."""
    grams = [f"w:{word}"]
    padded = f"<{word}>"
    if len(padded) > 4:
        grams += [f"c:{padded[i : i + 3]}" for i in range(len(padded) - 2)]
    gram_weight = 1.0 / math.sqrt(max(1, len(grams) - 1))
    out = []
    for position, gram in enumerate(grams):
        h = zlib.crc32(gram.encode("utf-8"))  # crc32, not hash(): stable across processes
        sign = 1.0 if h & 0x80000000 else -1.0
        out.append((h % LEXICAL_DIMENSIONS, sign * (1.0 if position == 0 else gram_weight)))
    return tuple(out)


def content_words(text: str) -> dict[str, int]:
    """Lower-cased words of ``text`` without stopwords, with their counts."""
    counts: dict[str, int] = {}
    for word in WORD.findall(text.lower()):
        if word not in STOPWORDS:
            counts[word] = counts.get(word, 0) + 1
    return counts


def lexical_vector(text: str) -> Vectors:
    vector = np.zeros(LEXICAL_DIMENSIONS, dtype=np.float32)
    for word, count in content_words(text).items():
        weight = 1.0 + math.log(count)  # sublinear: a word said ten times is not ten times the topic
        for dimension, value in _features(word):
            vector[dimension] += value * weight
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        # Text without words (emoji only, say) still needs a valid unit vector.
        vector[0] = 1.0
        return vector
    return vector / norm


def lexical_embed(texts: Sequence[str]) -> Vectors:
    if not texts:
        return np.zeros((0, LEXICAL_DIMENSIONS), dtype=np.float32)
    return np.stack([lexical_vector(text) for text in texts])


@register_embedding_function
class LexicalHashEmbedding(EmbeddingFunction[Documents]):
    """LEXICAL (not semantic) offline embedding: hashed bag of words + character trigrams, L2-normalised.

    Deterministic across processes and machines, needs no model and no network. Still registered with
    ChromaDB under its old name, so an index built before the embeddings were switched can be opened
    (and then rebuilt).
    """

    def __init__(self) -> None:
        self.dimensions = LEXICAL_DIMENSIONS

    def __call__(self, input: Documents) -> Embeddings:  # ChromaDB's parameter name
        return [lexical_vector(text) for text in input]

    @staticmethod
    def name() -> str:
        return "ifemotion_lexical_hash_v1"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return LexicalHashEmbedding()

    def get_config(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions}


LEXICAL = Embedding(
    embed=lexical_embed,
    key="lexical-hash-v1",
    label="lexical-hash (LEXICAL, not semantic: finds shared words only)",
    semantic=False,
    dimensions=LEXICAL_DIMENSIONS,
)


# ---------------------------------------------------------------------------- the index's stand-in


@register_embedding_function
class PrecomputedEmbedding(EmbeddingFunction[Documents]):
    """What every collection is created with: vectors always come from us (``Embedding.embed``).

    ChromaDB would otherwise attach its default model, which downloads itself on first use. This one
    refuses to be called, so a code path that forgot to pass vectors fails loudly instead of reaching
    for the network.
    """

    def __init__(self) -> None:
        pass  # nothing to configure; ChromaDB asks every embedding function to define it

    def __call__(self, input: Documents) -> Embeddings:  # ChromaDB's parameter name
        raise RuntimeError("the search index is given vectors; it must not embed texts itself")

    @staticmethod
    def name() -> str:
        return "ifemotion_precomputed_v1"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return PrecomputedEmbedding()

    def get_config(self) -> dict[str, Any]:
        return {}
