"""OCPP 1.6J over aiohttp WebSockets: framing, validation, sessions, outbound calls."""
