"""Shared fixtures: real PostgreSQL and Redis (from TEST_DATABASE_URL / TEST_REDIS_URL, or
embedded servers when those are unset), moto's SES server, and a wired runtime."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.redis",
    "tests.fixtures.moto",
    "tests.fixtures.runtime",
]
