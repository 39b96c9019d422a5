"""Platform-neutral helpers shared by every marketplace sandbox (DESIGN.md "Marketplace sandboxes").

`core` (markets, money, clock, call counter, rate limiter), `faults` (seeded fault injection), `push`
(asynchronous webhook delivery) and `fakedata` (seeded products, buyers, addresses). Nothing here knows a
platform's paths, field names, envelopes or error codes.
"""

from aiostore.sandbox.common.core import (
    MARKETS,
    CallCounter,
    DateHeaderMiddleware,
    ManualClock,
    Market,
    RateLimiter,
    SandboxError,
    parse_major,
    to_major,
)
from aiostore.sandbox.common.fakedata import COLORS, SIZES, Address, FakeData, Person
from aiostore.sandbox.common.faults import (
    FaultConfig,
    FaultDecision,
    FaultInjector,
    FaultKind,
    ScriptedFault,
    path_matches,
)
from aiostore.sandbox.common.push import PushDelivery, PushDispatcher, PushMessage
from aiostore.sandbox.common.standalone import Standalone, StandaloneFlags

__all__ = [
    "DateHeaderMiddleware",
    "Standalone",
    "StandaloneFlags",
    "COLORS",
    "MARKETS",
    "SIZES",
    "Address",
    "CallCounter",
    "FakeData",
    "FaultConfig",
    "FaultDecision",
    "FaultInjector",
    "FaultKind",
    "ManualClock",
    "Market",
    "Person",
    "PushDelivery",
    "PushDispatcher",
    "PushMessage",
    "RateLimiter",
    "SandboxError",
    "ScriptedFault",
    "parse_major",
    "path_matches",
    "to_major",
]
