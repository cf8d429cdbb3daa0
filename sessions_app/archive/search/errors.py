"""The search index's exceptions (``chroma.py`` turns every ChromaDB failure into one of these)."""

from __future__ import annotations


class SearchUnavailable(Exception):
    """The search index cannot be used now (ChromaDB unreachable, broken or built differently).

    The archive of record is unaffected; indexing catches up on a later archiver pass.
    """


class IndexOutdated(SearchUnavailable):
    """The index was built with another embedding or document shape: it is being rebuilt."""
