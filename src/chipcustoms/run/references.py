"""The run layer's half of the reference data: what the store holds.

`assess/` is pure over a batch and the references it is handed (``References.load`` reads the
package's files only). The evidence a store adds (party screening over its watchlists, the
pattern scorers over its lines, the active learned model) is built here, by whoever runs the
screen (the orchestrator, the server), and passed in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chipcustoms import settings
from chipcustoms.assess.pipeline import References, Scorer

if TYPE_CHECKING:
    from chipcustoms.store import Store


def store_scorers(db: str | Store | None) -> list[Scorer]:
    """The store-backed scorers in force for ``db``: screening first, then patterns, then the
    model (which may read the screening columns); none without a store.

    ``db`` is a path or URL (opened once here, for every scorer) or an open store: a server
    passes its own, so that building its references opens nothing beside its pool."""
    if db is None:
        return []
    from chipcustoms.model.model_scorer import ModelScorer
    from chipcustoms.store import open_store

    store = open_store(db) if isinstance(db, str) else db
    scorers: list[Scorer] = []
    # The party toolkit (rigour, normality, chardet: about 0.3 s to import) only for a store
    # that holds a list: without one there is no scorer.
    if store.watchlists():
        from chipcustoms.parties.party_scorer import ScreeningScorer

        entities = store.watchlist_entities()  # the newest version of every list
        if entities.height:
            scorers.append(ScreeningScorer(entities, store.allowed()))
    if settings.get("patterns"):  # imported only then: it brings the party toolkit too
        from chipcustoms.patterns.pattern_scorer import load_pattern_scorers

        scorers += load_pattern_scorers(store)
    return [*scorers, ModelScorer.from_store(store)]  # a no-op until a model is trained


def load_references(
    policies: list[str] | None = None, db: str | Store | None = None, profile: str | None = None
) -> References:
    """The package's reference files plus, with ``db`` (a path, a URL or an open store), the
    store's scorers; ``profile``: a profile name or file (default: the `profile` setting,
    else `all`)."""
    return References.load(policies, profile=profile, scorers=store_scorers(db))
