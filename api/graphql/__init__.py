"""GraphQL schema: types, query and mutation roots, request context."""
