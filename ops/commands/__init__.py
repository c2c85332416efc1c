"""One module per `chargeledger` subcommand; each defines register(subparsers)."""
