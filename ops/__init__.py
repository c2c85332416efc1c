"""Composition root, settings, the `chargeledger` CLI and its tools."""
