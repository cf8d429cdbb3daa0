"""The search index seam: offline embeddings, collections and their metadata, failures."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.conf import LazySettings

from sessions_app.archive.search import chroma, embeddings, locking, selection
from sessions_app.archive.search.chroma import Document, SearchUnavailable
from sessions_app.archive.search.embeddings import LexicalHashEmbedding, lexical_vector
from tests.redis_server import free_port
from tests.sessions_app.archive_support import use_embedded_chroma


@pytest.fixture(autouse=True)
def _chroma(settings: LazySettings, tmp_path: Path) -> None:
    use_embedded_chroma(settings, tmp_path / "chroma")


def cosine(a: str, b: str) -> float:
    return float(np.dot(lexical_vector(a), lexical_vector(b)))


# ------------------------------------------------------------------------------ embeddings


def test_the_lexical_embedding_is_deterministic_and_unit_length() -> None:
    first = LexicalHashEmbedding()(["I felt anxious at work", "", "🙂"])
    second = LexicalHashEmbedding()(["I felt anxious at work", "", "🙂"])
    for a, b in zip(first, second, strict=True):
        assert np.array_equal(a, b)
        assert float(np.linalg.norm(a)) == pytest.approx(1.0, abs=1e-6)
    assert len(first[0]) == embeddings.LEXICAL_DIMENSIONS


def test_the_lexical_embedding_matches_shared_words_and_word_parts_not_meaning() -> None:
    assert cosine("anxious about work", "I feel anxious about my work") > 0.6
    assert cosine("anxiety", "anxious") > cosine("anxiety", "garden")  # shared trigrams
    assert cosine("the and of", "garden") == pytest.approx(0.0, abs=0.2)  # stopwords carry nothing
    # Lexical, not semantic: synonyms without shared letters are not found.
    assert cosine("sad", "unhappy") < 0.3


def test_lexical_is_chosen_without_loading_any_model() -> None:
    chosen = selection.choose("lexical")
    assert chosen is embeddings.LEXICAL
    assert not chosen.semantic
    assert "LEXICAL" in chosen.label
    vectors = chosen.embed(["I felt anxious at work", "🙂"])
    assert vectors.shape == (2, embeddings.LEXICAL_DIMENSIONS)


def test_an_unknown_embedding_is_refused_with_the_choices() -> None:
    with pytest.raises(embeddings.EmbeddingUnavailable, match="wordllama, local, lexical"):
        selection.choose("default")


# ------------------------------------------------------------------------------ collections


def test_documents_carry_user_session_type_and_epoch_time() -> None:
    chroma.upsert(
        chroma.MESSAGES,
        [
            Document(
                "msg:alice:s1:1", "I could not sleep", "alice", "s1", "message", 1_790_000_000.5, {"seq": 1}
            ),
            Document(
                "msg:bob:s2:1", "I could not sleep", "bob", "s2", "message", 1_790_000_001.0, {"seq": 1}
            ),
        ],
    )
    hits = chroma.query(chroma.MESSAGES, "could not sleep", where={"user_id": "alice"}, limit=5)
    assert [h.id for h in hits] == ["msg:alice:s1:1"]
    assert hits[0].metadata == {
        "user_id": "alice",
        "session_id": "s1",
        "type": "message",
        "timestamp": 1_790_000_000.5,
        "seq": 1,
    }
    assert hits[0].distance == pytest.approx(0.0, abs=1e-5)
    names = {c.name for c in chroma.get_client().list_collections()}
    assert names == {chroma.MESSAGES}
    assert chroma.CITATIONS == "citations-if-emotion"


def test_an_index_built_with_another_embedding_is_reported_as_outdated(settings: LazySettings) -> None:
    chroma.upsert(chroma.SNAPSHOTS, [Document("snapshot:a:s", "notes", "a", "s", "session_snapshot", 1.0)])
    other = embeddings.Embedding(embeddings.lexical_embed, "other-for-test", "other", False, 256)
    settings.CHROMA_EMBEDDING = "other-for-test"
    chroma._embedding, chroma._embedding_setting = other, ("other-for-test", "")
    with pytest.raises(chroma.IndexOutdated, match="being rebuilt with other-for-test"):
        chroma.count(chroma.SNAPSHOTS)
    assert chroma.heartbeat()["warnings"]  # healthy, but says search is being rebuilt
    chroma.drop_all()
    assert chroma.count(chroma.SNAPSHOTS) == 0  # rebuilt with the new embedding


def test_an_index_of_the_old_embedding_function_layout_is_outdated(settings: LazySettings) -> None:
    """Indexes built before the embeddings moved out of ChromaDB carry the lexical function itself."""
    old: Any = LexicalHashEmbedding()
    chroma.get_client().get_or_create_collection(chroma.MESSAGES, embedding_function=old)
    with pytest.raises(chroma.IndexOutdated):
        chroma.count(chroma.MESSAGES)


def test_an_unreachable_server_fails_fast_with_search_unavailable(settings: LazySettings) -> None:
    settings.CHROMA_URL = f"http://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(SearchUnavailable, match="unreachable"):
        chroma.count(chroma.MESSAGES)
    assert time.monotonic() - started < 2.0
    assert chroma.heartbeat()["ok"] is False


def test_a_malformed_server_url_is_reported(settings: LazySettings) -> None:
    settings.CHROMA_URL = "ftp://example"
    with pytest.raises(SearchUnavailable, match="CHROMA_URL"):
        chroma.get_client()


def test_the_embedded_index_reports_its_embedding(settings: LazySettings) -> None:
    beat = chroma.heartbeat()
    assert beat["ok"] is True
    assert beat["backend"] == "embedded"
    assert beat["semantic"] is False
    assert "LEXICAL" in beat["embedding"]
    assert Path(settings.CHROMA_PATH).is_dir()


# ------------------------------------------------------------------------------ several processes

WRITER = """
import sys
sys.path.insert(0, {repo!r})
import chromadb
from chromadb.config import Settings
from sessions_app.archive.search.embeddings import LEXICAL, LexicalHashEmbedding, PrecomputedEmbedding
from sessions_app.archive.search.chroma import EMBEDDING_KEY, HNSW, MESSAGES, SCHEMA, SCHEMA_KEY
client = chromadb.PersistentClient(path={path!r}, settings=Settings(anonymized_telemetry=False))
target = client.get_or_create_collection(
    MESSAGES, embedding_function=PrecomputedEmbedding(), configuration={{"hnsw": HNSW}},
    metadata={{EMBEDDING_KEY: LEXICAL.key, SCHEMA_KEY: SCHEMA}},
)
seqs = range(2, 12)
ids = ["msg:alice:s:%d" % n for n in seqs]
meta = [{{"user_id": "alice", "session_id": "s", "type": "message", "timestamp": 1.0, "seq": n}}
        for n in seqs]
target.upsert(ids=ids, embeddings=LexicalHashEmbedding()(["panic on the train"] * 10), metadatas=meta)
import pathlib
pathlib.Path({path!r}, "ifemotion-generation").write_text("another-process")  # as chroma.upsert does
"""


def test_a_long_lived_reader_sees_what_another_process_indexed(
    settings: LazySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chroma, "CHECK_SECONDS", 0.0)  # no waiting between looks at the generation
    monkeypatch.setattr(chroma, "RELOAD_SECONDS", 0.0)
    chroma.upsert(
        chroma.MESSAGES, [Document("msg:alice:s:1", "panic on the train", "alice", "s", "message", 1.0)]
    )
    assert len(chroma.query(chroma.MESSAGES, "panic", where={"user_id": "alice"}, limit=50)) == 1
    repo = str(Path(__file__).resolve().parents[2])
    script = WRITER.format(repo=repo, path=str(settings.CHROMA_PATH))

    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, timeout=60)

    hits = chroma.query(chroma.MESSAGES, "panic", where={"user_id": "alice"}, limit=50)
    assert len(hits) == 11


def test_a_second_writer_leaves_indexing_to_the_one_that_holds_the_index() -> None:
    with locking.writer_lock() as first:
        assert first
        with locking.writer_lock() as second:  # another open file: as another process would
            assert not second
