"""The default embedding: WordLlama's 256-dimensional model, shipped inside the ``wordllama`` wheel.

A 16 MB token-embedding table (distilled from a large language model) and its tokenizer; a text's
vector is the mean of its tokens' vectors. Semantic enough to find "since my father passed away" for
"grief", and fast (well under a millisecond per message, no GPU).

Loading it must never touch the network. ``WordLlama.load()`` of wordllama 0.4 looks for the
tokenizer in ``<package>/tokenizer/`` while the wheel ships it in ``<package>/tokenizers/``, and then
downloads it from the model hub. Passing the package's own folder as ``cache_dir`` makes the second
place it looks the right one, and ``disable_download=True`` turns any remaining miss into an error
instead of a download (``tests/sessions_app/test_search_embeddings.py`` checks that no socket opens).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sessions_app.archive.search.embeddings import Embedding, EmbeddingUnavailable, Vectors, normalise

logger = logging.getLogger(__name__)

CONFIG = "l2_supercat"
DIMENSIONS = 256
# A message of the maximum size has tens of thousands of tokens; beyond this many the mean no longer
# moves, and embedding stays cheap for hostile input.
MAX_TOKENS = 4096

_lock = threading.Lock()
_loaded: Embedding | None = None


def package_folder() -> Path:
    import wordllama

    return Path(wordllama.__file__).resolve().parent


def _import_quietly() -> Any:
    """Import wordllama without its side effect: its modules call ``logging.basicConfig(INFO)``,
    which would make a process without logging configuration log every library's INFO lines."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from wordllama import WordLlama
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return WordLlama


class _WordLlamaEmbedder:
    """Mean of token vectors, batched without padding (wordllama pads a batch to its longest text,
    which a single huge message turns into gigabytes)."""

    def __init__(self, table: np.ndarray[Any, np.dtype[np.float32]], tokenizer: Any) -> None:
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self.tokenizer = tokenizer
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        self.lock = threading.Lock()  # the tokenizer's settings are shared state; keep calls serial

    def __call__(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self.lock:
            encoded = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        lengths = np.array([min(len(e.ids), MAX_TOKENS) for e in encoded], dtype=np.int64)
        ids = np.concatenate(
            [np.asarray(e.ids[:MAX_TOKENS], dtype=np.int64) for e in encoded] + [np.zeros(0, np.int64)]
        )
        np.clip(ids, 0, self.table.shape[0] - 1, out=ids)
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        present = lengths > 0
        if ids.size:
            starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[present]
            sums = np.add.reduceat(self.table[ids], starts, axis=0)
            out[present] = sums / lengths[present, None]
        return normalise(out)


def load_wordllama() -> Embedding:
    """The bundled model, loaded once per process (about a second) from the package's own files."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        try:
            word_llama = _import_quietly()
            folder = package_folder()
            model = word_llama.load(config=CONFIG, dim=DIMENSIONS, cache_dir=folder, disable_download=True)
            version = _version()
        except ImportError as exc:
            raise EmbeddingUnavailable("the wordllama package is not installed") from exc
        except (OSError, ValueError) as exc:  # FileNotFoundError when its files are missing
            raise EmbeddingUnavailable(f"the bundled WordLlama model could not be loaded: {exc}") from exc
        embedder = _WordLlamaEmbedder(model.embedding, model.tokenizer)
        _loaded = Embedding(
            embed=embedder,
            key=f"wordllama-{CONFIG}-{DIMENSIONS}@{version}",
            label=f"wordllama ({CONFIG}, {DIMENSIONS} dimensions, bundled; semantic)",
            semantic=True,
            dimensions=DIMENSIONS,
        )
        logger.info("loaded the bundled WordLlama embedding from %s", folder)
        return _loaded


def _version() -> str:
    from importlib.metadata import version

    return version("wordllama")


def forget_loaded_model() -> None:
    """For tests: make the next ``load_wordllama`` load the files again."""
    global _loaded
    with _lock:
        _loaded = None
