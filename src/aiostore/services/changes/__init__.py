"""Change sets: every bulk change is previewed, then committed (issue #13; catalog publishing later).

Importing the package registers each kind of change with `core`.
"""

from aiostore.services.changes import core, price, stock

__all__ = ["core", "price", "stock"]
