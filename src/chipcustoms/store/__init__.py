"""The store: one narrow data-access interface, one implementation per backend.

``open_store(url_or_path)`` returns a :class:`~chipcustoms.store.base.Store`. SQLite (WAL) is the
default; a PostgreSQL backend implements the same interface (a later issue). Nothing outside this
package writes SQL against the store.
"""

from chipcustoms.store.base import Store, default_db_path, open_store

__all__ = ["Store", "default_db_path", "open_store"]
