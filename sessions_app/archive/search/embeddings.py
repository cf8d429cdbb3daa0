"""Embedding functions of the search index, chosen by ``CHROMA_EMBEDDING``.

ChromaDB's default model (all-MiniLM-L6-v2, semantic) downloads itself on first use; these machines
have no internet, so it is used only when it is already on disk. Otherwise the index uses
``LexicalHashEmbedding``: a deterministic hashed bag of words and character n-grams. It is LEXICAL,
NOT SEMANTIC: it finds shared words and word parts ("anxious" ~ "anxiety"), never synonyms.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

logger = logging.getLogger(__name__)

LEXICAL_DIMENSIONS = 256
WORD = re.compile(r"\w+", re.UNICODE)
# The most frequent English function words carry no meaning for search and would dominate the vector.
_STOPWORDS_TEXT = (
    "a an and are as at be been but by do for from had has have he her him his i if in is it its me my "
    "no not of on or our she so that the their them then there they this to was we were what when "
    "which who will with you your"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split(" "))


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


def lexical_vector(text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
    counts: dict[str, int] = {}
    for word in WORD.findall(text.lower()):
        if word not in STOPWORDS:
            counts[word] = counts.get(word, 0) + 1
    vector = np.zeros(LEXICAL_DIMENSIONS, dtype=np.float32)
    for word, count in counts.items():
        weight = 1.0 + math.log(count)  # sublinear: a word said ten times is not ten times the topic
        for dimension, value in _features(word):
            vector[dimension] += value * weight
    norm = float(np.linalg.norm(vector))
    if norm == 0.0:
        # Text without words (emoji only, say) still needs a valid unit vector.
        vector[0] = 1.0
        return vector
    return vector / norm


@register_embedding_function
class LexicalHashEmbedding(EmbeddingFunction[Documents]):
    """LEXICAL (not semantic) offline embedding: hashed bag of words + character trigrams, L2-normalised.

    Deterministic across processes and machines, needs no model and no network.
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


# ---------------------------------------------------------------------------- ChromaDB's default model

_ONNX_FILES = (
    "config.json",
    "model.onnx",
    "special_tokens_map.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "vocab.txt",
)


def default_model_cached() -> bool:
    """True when ChromaDB's default model is on disk, so using it cannot trigger a download.

    Mirrors ``ONNXMiniLM_L6_V2._download_model_if_not_exists``: the extracted files, or the archive
    with the expected SHA-256 (extracting it needs no network).
    """
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    base = Path(ONNXMiniLM_L6_V2.DOWNLOAD_PATH)
    if all((base / ONNXMiniLM_L6_V2.EXTRACTED_FOLDER_NAME / name).is_file() for name in _ONNX_FILES):
        return True
    archive = base / ONNXMiniLM_L6_V2.ARCHIVE_FILENAME
    if not archive.is_file():
        return False
    digest = hashlib.sha256()
    with archive.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == ONNXMiniLM_L6_V2._MODEL_SHA256


@dataclass(frozen=True)
class Embedding:
    function: EmbeddingFunction[Documents]
    label: str
    semantic: bool


LEXICAL_LABEL = "lexical-hash (LEXICAL, not semantic: ChromaDB's default model is not on this machine)"


def choose(setting: str) -> Embedding:
    """The embedding for ``CHROMA_EMBEDDING`` (auto, default or lexical). Never downloads, never fails."""
    if setting == "lexical":
        return Embedding(LexicalHashEmbedding(), "lexical-hash (LEXICAL, not semantic; chosen)", False)
    if default_model_cached():
        from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

        return Embedding(ONNXMiniLM_L6_V2(), "chroma-default (all-MiniLM-L6-v2, semantic)", True)
    if setting == "default":
        logger.warning(
            "CHROMA_EMBEDDING=default but ChromaDB's model is not on disk and cannot be downloaded "
            "here; using the lexical (not semantic) embedding instead"
        )
    return Embedding(LexicalHashEmbedding(), LEXICAL_LABEL, False)
