"""The one seam between the product and ChromaDB: the lazily created client, the collections, and
error translation (every ChromaDB failure becomes ``SearchUnavailable`` here).

ChromaDB is a search index over the archive of record, never the record itself: everything in it can
be rebuilt from the database (``manage.py reindex_archive``). Embedded ``PersistentClient`` under
``CHROMA_PATH`` by default; ``CHROMA_URL`` switches to a Chroma server.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.collection_configuration import CreateHNSWConfiguration
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embeddable, EmbeddingFunction
from chromadb.config import Settings
from django.conf import settings

from sessions_app.archive.search import locking
from sessions_app.archive.search.embeddings import (
    Embedding,
    EmbeddingUnavailable,
    PrecomputedEmbedding,
    Vectors,
)

# Re-exported: callers catch chroma.SearchUnavailable, the seam's own exception.
from sessions_app.archive.search.errors import IndexOutdated as IndexOutdated
from sessions_app.archive.search.errors import SearchUnavailable as SearchUnavailable
from sessions_app.archive.search.selection import choose

logger = logging.getLogger(__name__)

MESSAGES = "if-emotion-messages"
SNAPSHOTS = "if-emotion-snapshots"
# The report's "citations:if-emotion"; ChromaDB names allow only [a-zA-Z0-9._-].
CITATIONS = "citations-if-emotion"
COLLECTIONS = (MESSAGES, SNAPSHOTS, CITATIONS)
# What each collection records about how it was built. Another embedding or another document shape
# (SCHEMA: 2 added the speaker's role to messages) means the index must be rebuilt; the indexer does
# that by itself (``indexer.index_pending``), readers meanwhile get ``IndexOutdated``.
SCHEMA = 2
EMBEDDING_KEY = "ifemotion_embedding"
SCHEMA_KEY = "ifemotion_schema"

Metadata = dict[str, str | int | float | bool]
# Recall over speed: with ChromaDB's defaults (16 neighbours, ef_construction 100) a query for the
# 100 nearest of 90 similar messages returned as few as 76 of them; with 32 neighbours and
# ef_construction 100 it still missed one now and then (even at ef_search 500). 32/200/200 found all
# 90 in every one of 60 trials, for about a third more indexing time. Clinicians must not miss a record.
HNSW: CreateHNSWConfiguration = {
    "space": "cosine",
    "max_neighbors": 32,
    "ef_construction": 200,
    "ef_search": 200,
}


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    user_id: str
    session_id: str
    type: str
    timestamp: float  # epoch seconds
    extra: Metadata = field(default_factory=dict)

    def metadata(self) -> Metadata:
        return {
            "user_id": self.user_id,
            "session_id": self.session_id,
            "type": self.type,
            "timestamp": self.timestamp,
            **self.extra,
        }


@dataclass(frozen=True)
class Hit:
    id: str
    metadata: dict[str, Any]
    distance: float


_lock = threading.RLock()  # re-entrant: a failure while connecting resets the client
_client: ClientAPI | None = None
_client_config: tuple[str, str] | None = None
_embedding: Embedding | None = None
_embedding_setting: tuple[str, str] | None = None
# Embedded mode: which generation of the index this process loaded (see fresh_collection).
CHECK_SECONDS = 1.0  # look at the generation file at most this often
RELOAD_SECONDS = 20.0  # reopen the index at most this often (at 100k messages a reopen takes ~1 s)
_seen_generation: str | None = None
_checked_at = 0.0
_reloaded_at = 0.0


def _config() -> tuple[str, str]:
    return (str(settings.CHROMA_URL or ""), str(settings.CHROMA_PATH))


def _chroma_settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


def _http_client(url: str) -> ClientAPI:
    parts = urlparse(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise SearchUnavailable("CHROMA_URL must look like http://host:port")
    port = parts.port or (443 if parts.scheme == "https" else 8000)
    timeout = float(settings.CHROMA_TIMEOUT_SECONDS)
    # The HTTP client has no connect timeout of its own: probe first, so a dead host cannot hang us.
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        raise SearchUnavailable(f"ChromaDB at {parts.hostname}:{port} is unreachable") from exc
    client = chromadb.HttpClient(
        host=parts.hostname, port=port, ssl=parts.scheme == "https", settings=_chroma_settings()
    )
    # ChromaDB creates its httpx session with timeout=None; a stalled server would block forever.
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout)
    return client


def get_client() -> ClientAPI:
    """The process's ChromaDB client, created on first use (and again after a failure)."""
    global _client, _client_config
    config = _config()
    with _lock:
        if _client is not None and _client_config == config and not _embedded_index_vanished(config):
            return _client
        _close_locked()
        url, path = config
        with translate_errors("connect"):
            _client = (
                _http_client(url)
                if url
                else chromadb.PersistentClient(path=path, settings=_chroma_settings())
            )
        _client_config = config
        return _client


def _embedded_index_vanished(config: tuple[str, str]) -> bool:
    """The embedded index's files were removed under us: an open client would keep writing to
    unlinked files and report success, so it must be reopened (and the index rebuilt)."""
    url, path = config
    return not url and not (Path(path) / "chroma.sqlite3").exists()


def _close_locked() -> None:
    global _client, _client_config, _seen_generation
    _seen_generation = None  # the next open loads the index as it is now
    if _client is not None:
        try:
            close = getattr(_client, "close", None)  # the concrete client has it; the interface not
            if close is not None:
                close()  # releases the embedded system, so a deleted directory is reopened fresh
        except Exception:  # closing a broken client must not hide the real error
            logger.debug("closing the ChromaDB client failed", exc_info=True)
    _client = None
    _client_config = None


def reset_client() -> None:
    """Forget the client (after a failure, a settings change, or a deleted index directory)."""
    with _lock:
        _close_locked()


def embedding() -> Embedding:
    """The configured embedding, loaded once per process. Raises ``SearchUnavailable`` when it cannot
    be loaded (the message says why: a missing model directory, say)."""
    global _embedding, _embedding_setting
    setting = (str(settings.CHROMA_EMBEDDING), str(getattr(settings, "CHROMA_EMBEDDING_PATH", "") or ""))
    with _lock:
        if _embedding is None or _embedding_setting != setting:
            try:
                _embedding, _embedding_setting = choose(setting[0], local_path=setting[1]), setting
            except EmbeddingUnavailable as exc:
                raise SearchUnavailable(f"the search embedding is unavailable: {exc}") from exc
        return _embedding


def embed(texts: Sequence[str]) -> Vectors:
    return embedding().embed(texts)


@contextmanager
def translate_errors(action: str) -> Iterator[None]:
    try:
        yield
    except SearchUnavailable:
        raise
    except Exception as exc:  # ChromaDB raises many types; all mean "index unusable"
        message = str(exc)
        if "Embedding function conflict" in message:
            raise IndexOutdated(
                "the search index was built with another embedding; it is rebuilt by the next "
                "indexing pass (or run `manage.py reindex_archive`)"
            ) from exc
        logger.warning("ChromaDB %s failed: %s", action, type(exc).__name__)
        reset_client()
        raise SearchUnavailable(
            f"the search index is unavailable ({type(exc).__name__} during {action})"
        ) from exc


def built_with() -> dict[str, str | int]:
    """The collection metadata that names how the index is built now."""
    return {EMBEDDING_KEY: embedding().key, SCHEMA_KEY: SCHEMA}


def collection(name: str) -> Collection:
    """The collection, created if missing. Raises ``IndexOutdated`` when it was built otherwise."""
    wanted = built_with()
    client = get_client()
    # ChromaDB's signature wants an embedding function of "Embeddable"; ours embed documents.
    function = cast("EmbeddingFunction[Embeddable]", PrecomputedEmbedding())
    with translate_errors("open collection"):
        found = client.get_or_create_collection(
            name=name, embedding_function=function, configuration={"hnsw": HNSW}, metadata=wanted
        )
    metadata = found.metadata or {}
    if any(metadata.get(key) != value for key, value in wanted.items()):
        raise IndexOutdated(
            f"the search index was built with {metadata.get(EMBEDDING_KEY) or 'an older embedding'} "
            f"(document shape {metadata.get(SCHEMA_KEY, 1)}); "
            f"it is being rebuilt with {wanted[EMBEDDING_KEY]}"
        )
    return found


def upsert(name: str, documents: Sequence[Document]) -> None:
    """Index documents by their embedding and metadata. The text itself is not stored in ChromaDB:
    the database holds the record (and the snippets shown with hits), so the index keeps no second
    copy of clients' words, and indexing costs about 40 % less CPU."""
    if not documents:
        return
    target = collection(name)
    with translate_errors("upsert"):
        limit = get_client().get_max_batch_size()
        for start in range(0, len(documents), limit):
            chunk = documents[start : start + limit]
            target.upsert(
                ids=[d.id for d in chunk],
                embeddings=embed([d.text for d in chunk]),
                metadatas=[d.metadata() for d in chunk],
            )
    _mark_written()


def existing_ids(name: str, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` the collection holds already (a message indexed live, then archived)."""
    if not ids:
        return set()
    target = collection(name)
    with translate_errors("get"):
        return set(target.get(ids=list(ids), include=[])["ids"])


def delete(name: str, *, where: dict[str, Any]) -> None:
    target = collection(name)
    with translate_errors("delete"):
        target.delete(where=where)
    _mark_written()


def _mark_written() -> None:
    """Every write of this module ends here: other processes using the embedded index see a new
    generation and reopen it; ours has the write already."""
    global _seen_generation
    if not settings.CHROMA_URL:
        _seen_generation = locking.write_generation() or _seen_generation


def fresh_collection(name: str) -> Collection:
    """The collection, reopened when another process (the search indexer, the archiver) has written
    to the index since this process opened it.

    An embedded client keeps its vector index in memory: a long-lived web process would otherwise
    search a stale index forever (measured: the count moves on, query results do not). Writers leave a
    new generation (``locking.write_generation``); readers look at it at most every ``CHECK_SECONDS`` and
    reopen at most every ``RELOAD_SECONDS``, so a new message is found within the indexer's interval
    plus about 20 s. (A count per query cost 10-50 ms at 100k messages.) A Chroma server
    (``CHROMA_URL``) has no such problem, and no reopening cost.
    """
    global _seen_generation, _checked_at, _reloaded_at
    target = collection(name)
    if settings.CHROMA_URL:
        return target
    now = time.monotonic()
    if now - _checked_at < CHECK_SECONDS:
        return target
    _checked_at = now
    generation = locking.read_generation()
    if _seen_generation is None:
        _seen_generation = generation
    elif generation != _seen_generation and now - _reloaded_at >= RELOAD_SECONDS:
        reset_client()
        _seen_generation, _reloaded_at = generation, now
        target = collection(name)
    return target


def query(name: str, near: str | Vectors, *, where: dict[str, Any] | None, limit: int) -> list[Hit]:
    """The ``limit`` nearest documents to ``near`` (a text, or one row of ``embed``) among those
    ``where`` allows, best first. The filter runs inside ChromaDB, before the nearest are picked."""
    vector = embed([near])[0] if isinstance(near, str) else near
    target = fresh_collection(name)
    with translate_errors("query"):
        result = target.query(
            query_embeddings=[vector],
            n_results=limit,
            where=where or None,
            include=["metadatas", "distances"],
        )
    ids = result["ids"][0] if result["ids"] else []
    metadatas = (result.get("metadatas") or [[]])[0]
    distances = (result.get("distances") or [[]])[0]
    return [
        Hit(id=ids[i], metadata=dict(metadatas[i] or {}), distance=float(distances[i]))
        for i in range(len(ids))
    ]


def count(name: str) -> int:
    target = collection(name)
    with translate_errors("count"):
        return int(target.count())


def drop_all() -> None:
    """Delete every collection of the index (``reindex_archive`` rebuilds them from the database)."""
    client = get_client()
    with translate_errors("drop collections"):
        existing = {c.name for c in client.list_collections()}
        for name in COLLECTIONS:
            if name in existing:
                client.delete_collection(name)
    _mark_written()


def heartbeat() -> dict[str, Any]:
    """Health of the index, for ``/healthz``: reachable, and which embedding it uses."""
    try:
        client = get_client()
        with translate_errors("heartbeat"):
            client.heartbeat()
        chosen = embedding()
    except SearchUnavailable as exc:
        return {"ok": False, "error": str(exc), "embedding_setting": str(settings.CHROMA_EMBEDDING)}
    report: dict[str, Any] = {
        "ok": True,
        "backend": "server" if settings.CHROMA_URL else "embedded",
        "embedding": chosen.label,
        "embedding_key": chosen.key,
        "semantic": chosen.semantic,
    }
    try:
        outdated = outdated_collections()
    except SearchUnavailable as exc:
        return {"ok": False, "error": str(exc), "embedding": chosen.label}
    if outdated:
        # Transient: the indexer rebuilds it. Search says so meanwhile; the records are unaffected.
        report["warnings"] = [
            f"the search index ({', '.join(outdated)}) was built with another embedding and is being "
            f"rebuilt with {chosen.key}"
        ]
    return report


def outdated_collections() -> list[str]:
    """Names of the existing collections built with another embedding or document shape."""
    wanted = built_with()
    client = get_client()
    with translate_errors("list collections"):
        found = [c for c in client.list_collections() if c.name in COLLECTIONS]
    return sorted(c.name for c in found if any((c.metadata or {}).get(k) != v for k, v in wanted.items()))
