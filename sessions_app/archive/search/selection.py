"""Which embedding ``CHROMA_EMBEDDING`` names: the bundled model, an operator's model, or lexical."""

from __future__ import annotations

from sessions_app.archive.search.bundled_model import load_wordllama
from sessions_app.archive.search.embeddings import LEXICAL, Embedding, EmbeddingUnavailable
from sessions_app.archive.search.local_model import load_local

CHOICES = ("wordllama", "local", "lexical")


def choose(setting: str, *, local_path: str = "") -> Embedding:
    """The embedding for ``CHROMA_EMBEDDING``. Never downloads; raises ``EmbeddingUnavailable`` when
    the chosen model cannot be loaded (the caller reports search as unavailable)."""
    if setting == "lexical":
        return LEXICAL
    if setting == "local":
        return load_local(local_path)
    if setting == "wordllama":
        return load_wordllama()
    raise EmbeddingUnavailable(f"unknown CHROMA_EMBEDDING {setting!r}; choose one of {', '.join(CHOICES)}")
