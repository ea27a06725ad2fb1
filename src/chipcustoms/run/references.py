"""The run layer's half of the reference data: what the store holds.

`assess/` is pure over a batch and the references it is handed (``References.load`` reads the
package's files only). The evidence a store adds (party screening over its watchlists, the
pattern scorers over its lines, the active learned model) is built here, by whoever runs the
screen (the orchestrator, the server), and passed in.
"""

from __future__ import annotations

from chipcustoms import settings
from chipcustoms.assess.pipeline import References, Scorer


def store_scorers(db: str | None) -> list[Scorer]:
    """The store-backed scorers in force for ``db``: screening first, then patterns, then the
    model (which may read the screening columns); none without a store."""
    if db is None:
        return []
    from chipcustoms.model.model_scorer import ModelScorer
    from chipcustoms.store import open_store

    scorers: list[Scorer] = []
    # The party toolkit (rigour, normality, chardet: about 0.3 s to import) only for a store
    # that holds a list: without one the scorer would be None anyway.
    if open_store(db).watchlists():
        from chipcustoms.parties.party_scorer import load_scorer

        screening = load_scorer(db)
        scorers += [screening] if screening is not None else []
    if settings.get("patterns"):  # imported only then: it brings the party toolkit too
        from chipcustoms.patterns.pattern_scorer import load_pattern_scorers

        scorers += load_pattern_scorers(db)
    return [*scorers, ModelScorer.from_store(db)]  # a no-op until a model is trained


def load_references(
    policies: list[str] | None = None, db: str | None = None, profile: str | None = None
) -> References:
    """The package's reference files plus, with ``db``, the store's scorers;
    ``profile``: a profile name or file (default: the `profile` setting, else `all`)."""
    return References.load(policies, profile=profile, scorers=store_scorers(db))
