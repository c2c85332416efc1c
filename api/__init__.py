"""The operator's GraphQL surface (strawberry on aiohttp): queries read the projections,
mutations submit commands through the one writer path."""
