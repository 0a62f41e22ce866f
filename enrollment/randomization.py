"""Permuted blocks of varying size, reproducible from a seed. Pure (no ORM)."""

import random
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    sequence: int  # 1-based position in the stratum's list
    block: int  # 1-based block number
    block_size: int
    arm: str


def default_block_sizes(n_arms: int) -> tuple[int, ...]:
    """One and two of each arm per block (2 and 4 for two arms)."""
    return (n_arms, 2 * n_arms)


def permuted_blocks(arms: Sequence[str], n: int, *, seed: str, block_sizes: Sequence[int]) -> list[Slot]:
    """At least ``n`` slots in whole blocks; each block holds every arm equally often, shuffled.

    The same ``seed`` (a string; e.g. "<study seed>:<site code>" per stratum) gives the same list.
    """
    if not arms or n < 1:
        raise ValueError("Need at least one arm and one slot.")
    if any(size < len(arms) or size % len(arms) for size in block_sizes):
        raise ValueError("Every block size must be a multiple of the number of arms.")
    rng = random.Random(seed)
    slots: list[Slot] = []
    block = 0
    while len(slots) < n:
        block += 1
        size = rng.choice(list(block_sizes))
        content = [arm for arm in arms for _ in range(size // len(arms))]
        rng.shuffle(content)
        start = len(slots)
        slots.extend([Slot(start + i + 1, block, size, arm) for i, arm in enumerate(content)])
    return slots
