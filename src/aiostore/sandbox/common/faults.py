"""Seeded fault injection shared by every sandbox (DESIGN.md "Marketplace sandboxes"): per-endpoint error
rates, forced rate-limit answers, added latency, time-outs, scripted one-off faults, scripted listing
review outcomes, and duplicated, reordered or dropped pushes. Each platform maps a `FaultKind` to its own
error envelope."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal["server_error", "busy", "rate_limit", "timeout"]


class ScriptedFault(BaseModel):
    """One forced outcome for the next request matching `path` (any request when `path` is None)."""

    model_config = ConfigDict(extra="forbid")
    kind: FaultKind
    path: str | None = None


class ScriptedReview(BaseModel):
    """The outcome of the next listing review (a create or an update); reviews nobody scripted approve.

    `reason` and `code` default to the platform's own rejection words; `hold` keeps the listing under
    review until POST /_sandbox/reviews/settle (else it ends `review_seconds` after it began)."""

    model_config = ConfigDict(extra="forbid")
    outcome: Literal["approve", "reject"] = "approve"
    reason: str | None = Field(None, max_length=500)
    code: str | None = Field(None, max_length=100)
    hold: bool = False


class FaultConfig(BaseModel):
    """What can go wrong, and how often. Rates are probabilities per request, drawn from `seed`."""

    model_config = ConfigDict(extra="forbid")
    error_rate: float = Field(0.0, ge=0, le=1)
    endpoint_error_rates: dict[str, float] = Field(default_factory=dict)
    busy_share: float = Field(0.0, ge=0, le=1)  # share of injected errors answered "busy", not "server"
    rate_limit_rate: float = Field(0.0, ge=0, le=1)
    timeout_rate: float = Field(0.0, ge=0, le=1)
    timeout_seconds: float = Field(30.0, ge=0)
    latency_ms: int = Field(0, ge=0)
    latency_jitter_ms: int = Field(0, ge=0)
    script: list[ScriptedFault] = Field(default_factory=list)
    reviews: list[ScriptedReview] = Field(default_factory=list)  # outcomes of the next reviews, in order
    push_duplicate_rate: float = Field(0.0, ge=0, le=1)
    push_reorder_rate: float = Field(0.0, ge=0, le=1)
    # A dropped push is never delivered nor retried, and the platform keeps no record of it (not even as a
    # lost push): what a seller sees when a platform's push service silently stops. Only a pull finds it.
    push_drop_rate: float = Field(0.0, ge=0, le=1)
    seed: int = 0


def path_matches(path: str, key: str) -> bool:
    """`key` names an endpoint by its full path or by a tail of it ("product/update_stock")."""
    return path == key or path.endswith("/" + key.strip("/"))


@dataclass(frozen=True, slots=True)
class FaultDecision:
    kind: FaultKind | None
    latency: float  # seconds to wait before answering


class FaultInjector:
    """Decides, deterministically from the config's seed, what happens to each request and push."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._script = list(config.script)
        self._reviews = list(config.reviews)
        self._rng = random.Random(config.seed)
        self._push_rng = random.Random(config.seed + 1)
        self._drop_rng = random.Random(config.seed + 2)

    def decide(self, path: str) -> FaultDecision:
        cfg = self.config
        latency = cfg.latency_ms / 1000
        if cfg.latency_jitter_ms:
            latency += self._rng.uniform(0, cfg.latency_jitter_ms) / 1000
        for index, scripted in enumerate(self._script):
            if scripted.path is None or path_matches(path, scripted.path):
                del self._script[index]
                return FaultDecision(scripted.kind, latency)
        error_rate = next(
            (rate for key, rate in cfg.endpoint_error_rates.items() if path_matches(path, key)),
            cfg.error_rate,
        )
        if not (cfg.timeout_rate or cfg.rate_limit_rate or error_rate):
            return FaultDecision(None, latency)
        draw = self._rng.random()
        kind: FaultKind | None = None
        if draw < cfg.timeout_rate:
            kind = "timeout"
        elif draw < cfg.timeout_rate + cfg.rate_limit_rate:
            kind = "rate_limit"
        elif draw < cfg.timeout_rate + cfg.rate_limit_rate + error_rate:
            kind = "busy" if self._rng.random() < cfg.busy_share else "server_error"
        return FaultDecision(kind, latency)

    def push_dropped(self) -> bool:
        """Whether the next push is dropped (drawn from its own stream: adding drops to a configuration
        leaves which pushes are duplicated or reordered as they were)."""
        rate = self.config.push_drop_rate
        return bool(rate) and self._drop_rng.random() < rate

    def next_review(self) -> ScriptedReview:
        """The scripted outcome of the next review, else an approval."""
        return self._reviews.pop(0) if self._reviews else ScriptedReview()

    def push_faults(self) -> tuple[bool, bool]:
        """(duplicate, reorder) for the next push."""
        cfg = self.config
        duplicate = bool(cfg.push_duplicate_rate) and self._push_rng.random() < cfg.push_duplicate_rate
        reorder = bool(cfg.push_reorder_rate) and self._push_rng.random() < cfg.push_reorder_rate
        return duplicate, reorder
