"""HTTP adapter: FastAPI app, dependencies, problem+json, routes."""
