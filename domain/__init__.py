"""ChargeLedger's write model: aggregates, commands and the CentralSystem application."""
