"""Stock arithmetic shared by every flow that moves or pushes stock."""

from __future__ import annotations


def available_to_sell(on_hand: int, reserved: int, safety_buffer: int) -> int:
    """Stock a channel may sell: on hand - reserved - buffer, never below zero."""
    return max(0, on_hand - reserved - safety_buffer)
