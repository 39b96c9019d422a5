"""Tokopedia Fulfillment Service (FS) API sandbox (shared/marketplaces/lazada-tokopedia.md Part B).

``create_app(TokopediaSandboxConfig(...))`` returns the ASGI app; ``app.state.sandbox`` is the
``TokopediaSandbox``. Indonesia only.
"""

from aiostore.sandbox.tokopedia.app import create_app
from aiostore.sandbox.tokopedia.config import TokopediaSandboxConfig
from aiostore.sandbox.tokopedia.state import TokopediaSandbox

__all__ = ["TokopediaSandbox", "TokopediaSandboxConfig", "create_app"]
