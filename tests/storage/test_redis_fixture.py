from redis.asyncio import Redis

from tests.fixtures.redis import with_db


def test_with_db_handles_tcp_and_unix_urls() -> None:
    assert with_db("redis://127.0.0.1:6379/0", 4) == "redis://127.0.0.1:6379/4"
    assert with_db("redis://h:1", 2) == "redis://h:1/2"
    assert with_db("unix:///tmp/r.sock", 3) == "unix:///tmp/r.sock?db=3"
    assert with_db("unix:///tmp/r.sock?db=1&x=y", 5) == "unix:///tmp/r.sock?db=5&x=y"


async def test_each_test_gets_an_empty_database_of_its_own(redis_client: Redis) -> None:
    index = (await redis_client.client_info())["db"]
    assert 1 <= int(index) <= 15
    assert await redis_client.dbsize() == 0
