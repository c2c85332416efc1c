"""`chargeledger bench`: an OCPP 1.6J load generator and a reference Central System.

The generator simulates charge points over real WebSockets against a running Central
System on the loopback interface; `reference_server` is the outside yardstick built on
the `ocpp` package. Nothing here imports the product's own packages, so the benchmark
measures any CSMS the same way.
"""
