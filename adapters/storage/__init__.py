"""Event store wiring, side tables written with events, and id allocation."""
