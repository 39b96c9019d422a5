"""Marketplace sandboxes: faithful in-memory simulators of each platform's seller API (DESIGN.md
"Marketplace sandboxes"; platform facts in shared/MARKETPLACES.md).

Each platform lives in its own subpackage (`shopee/`, ...) and exposes `create_app(config)`, an ASGI app whose
state object is `app.state.sandbox`. `common` holds what every platform reuses (faults, rate limits, call
counting, push delivery, seeded fake data). Nothing here imports from the rest of `aiostore`.
"""
