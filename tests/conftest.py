"""Shared fixtures: real PostgreSQL and Redis (from TEST_DATABASE_URL / TEST_REDIS_URL, or
embedded servers when those are unset), moto's SES server, and a wired runtime."""

import os

# Every test builds its own pools against one shared server: keep each pool small so a
# full run stays well inside max_connections (the bots the tests start inherit this).
os.environ.setdefault("DATABASE_POOL_SIZE", "4")

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.redis",
    "tests.fixtures.moto",
    "tests.fixtures.runtime",
    "tests.fixtures.discord",
]
