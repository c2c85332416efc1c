"""Interpreter settings for the long-lived processes of `serve` (server and writer)."""

from __future__ import annotations

import gc
import sys


def tune_interpreter() -> None:
    """Both measured in a 10,000-station boot storm.

    Garbage collector: the storm builds a heap of long-lived objects (sockets,
    parsers, sessions); with the default thresholds a full collection walked them all
    (~1 s with every thread stopped) every few seconds while the heap grew, 8-10 s of
    a 60 s storm. Start-up objects leave the collector's sight and the young
    generations are collected in bigger steps, so full passes come about 14 times
    less often; cyclic garbage is still collected.

    Switch interval: the writer and the store's reader threads give up the GIL on
    every SQLite call and, with the event loop busy, waited up to the default 5 ms
    to get it back (a third of the writer's time went to the station reads of a
    storm). A shorter interval hands it back sooner.
    """
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    sys.setswitchinterval(0.0005)
