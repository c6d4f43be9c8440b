"""Named random streams: one generator per process, seeded from the run seed and the stream's name.

Each rule draws only from its own stream, so adding a rule (or a draw to one rule) leaves every other
rule's draws unchanged, and two scenarios with the same seed share each stream's random sequence
(common random numbers). They share it draw for draw only while the draws ask for the same
things: NumPy's Poisson and binomial samplers use a number of uniforms that depends on the rate, so
once two scenarios' rates differ, their later draws in that stream drift apart. The name is hashed
with CRC-32, which is stable across processes and Python versions (unlike the salted ``hash``).
"""

from __future__ import annotations

import zlib

import numpy as np


def make_stream(seed: int, name: str) -> np.random.Generator:
    """A generator seeded by (seed, crc32(name))."""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


class Streams:
    """Lazily created named generators for one run: ``streams["threats"]``."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            gen = self._streams[name] = make_stream(self.seed, name)
        return gen
