"""What every sandbox's state object shares: its fault injector, call counter and push dispatcher."""

from __future__ import annotations

from typing import Any

from aiostore.sandbox.common.core import CallCounter
from aiostore.sandbox.common.faults import FaultConfig, FaultInjector
from aiostore.sandbox.common.push import PushDispatcher


class SandboxState:
    """Base of each platform's sandbox state (which sets these three in its __init__)."""

    faults: FaultInjector
    calls: CallCounter
    pushes: PushDispatcher

    def set_faults(self, faults: FaultConfig | dict[str, Any]) -> FaultConfig:
        config = faults if isinstance(faults, FaultConfig) else FaultConfig.model_validate(faults)
        self.faults.configure(config)
        return config

    def reset_calls(self) -> None:
        self.calls.reset()

    async def drain_pushes(self) -> None:
        await self.pushes.drain()

    async def aclose(self) -> None:
        await self.pushes.aclose()
