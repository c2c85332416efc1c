"""Edges of the write side: OCPP over WebSocket, storage infrastructure."""
