"""Click and open tracking through the real HTTP service, PostgreSQL and Redis."""

from __future__ import annotations

import re

import aiohttp
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bot.http.server import make_app
from bot.http.tracking import tracking_routes
from bot.links import SignedLinks
from bot.runtime import Runtime
from core.signing import sign
from storage.redis.engagement import EngagementCounters
from tests.bot.engagement_runtime import BASE_URL, item, serving, settings_for, subscriber

CLICK = re.compile(re.escape(BASE_URL) + r"/t/c/[A-Za-z0-9_.-]+")
PIXEL = re.compile(re.escape(BASE_URL) + r"/t/o/[A-Za-z0-9_.-]+")


async def _emailed_digest(runtime: Runtime) -> tuple[int, int, str]:
    """(subscriber id, publication id, html) of a fresh email digest of three NLP items."""
    await runtime.ctx.content.add_many([item(n, "natural language processing") for n in (1, 2, 3)])
    reader = await subscriber(
        runtime,
        "reader",
        ['/digest prompt add "NLP"', "/digest email reader@example.com", "/subscribe via email"],
    )
    published = await runtime.ctx.pipeline.publish(reader, "tracking-test", None)
    assert published.publication_id is not None and reader.id is not None
    html = await runtime.pool.fetchval(
        "SELECT body_html FROM delivery_outbox WHERE publication_id = $1", published.publication_id
    )
    return reader.id, published.publication_id, html


def _local(url: str, base: str) -> str:
    return url.replace(BASE_URL, base)


async def test_a_click_redirects_to_the_item_and_counts_once_per_person(
    pg_url: str, redis_url: str, redis_client: Redis
) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        reader, publication, html = await _emailed_digest(runtime)
        links = CLICK.findall(html)
        assert len(links) == 3, "every item in the digest links through /t/c/"
        first = await runtime.pool.fetchrow(
            "SELECT c.id, c.url FROM publishing_publication_items i JOIN content_items c "
            "ON c.id = i.content_id WHERE i.publication_id = $1 AND i.rank = 1",
            publication,
        )
        async with aiohttp.ClientSession() as http:
            for _ in range(2):  # the same click twice
                async with http.get(_local(links[0], base), allow_redirects=False) as response:
                    assert response.status == 302
                    assert response.headers["Location"] == first["url"]
                    assert "no-store" in response.headers["Cache-Control"]
            async with http.head(_local(links[1], base), allow_redirects=False) as response:
                assert response.status == 302  # a link checker: sent on, not counted

        counters = runtime.engagement.counters  # type: ignore[union-attr]
        assert (await counters.item_totals(first["id"]))["click"] == 1
        assert (await counters.publication_totals(publication))["click"] == 1
        assert (await counters.subscriber_totals(reader))["click"] == 1
        assert await counters.pending_events() == 1  # one event for the roll-up


async def test_forged_or_altered_tokens_get_404_and_count_nothing(
    pg_url: str, redis_url: str, redis_client: Redis
) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        _, publication, html = await _emailed_digest(runtime)
        genuine = CLICK.findall(html)[0]
        token = genuine.rsplit("/", 1)[1]
        body, mac = token.split(".")
        flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
        items = await runtime.pool.fetch(
            "SELECT content_id FROM publishing_publication_items WHERE publication_id = $1",
            publication,
        )
        other_key = SignedLinks(BASE_URL, b"someone-elses-key")
        digest_item = {"p": publication, "i": items[0]["content_id"], "s": 1}
        bad = [
            f"{BASE_URL}/t/c/{flipped}.{mac}",  # altered payload
            f"{BASE_URL}/t/c/{body}.{mac[:-1]}x",  # altered signature
            f"{BASE_URL}/t/c/{sign(other_key.key, 'click', digest_item)}",  # forged
            f"{BASE_URL}/t/c/{sign(runtime.links.key, 'open', digest_item)}",  # wrong purpose
            f"{BASE_URL}/t/c/{runtime.links.unsubscribe_token(1)}",  # another route's token
            f"{BASE_URL}/t/c/https%3A%2F%2Fevil.example",  # an open-redirect attempt
            f"{BASE_URL}/t/o/{flipped}.{mac}",
        ]
        async with aiohttp.ClientSession() as http:
            for url in bad:
                async with http.get(_local(url, base), allow_redirects=False) as response:
                    assert response.status == 404, url
                    assert "Location" not in response.headers
        assert await redis_client.keys("engagement:*") == []


async def test_the_open_pixel_is_a_gif_and_counts_one_open_per_item(
    pg_url: str, redis_url: str
) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        reader, publication, html = await _emailed_digest(runtime)
        pixels = PIXEL.findall(html)
        assert len(pixels) == 1
        async with aiohttp.ClientSession() as http:
            for _ in range(2):  # a client that loads images twice
                async with http.get(_local(pixels[0], base)) as response:
                    assert response.status == 200
                    assert response.content_type == "image/gif"
                    assert (await response.read()).startswith(b"GIF89a")
        counters = runtime.engagement.counters  # type: ignore[union-attr]
        assert await counters.publication_totals(publication) == {
            "open": 3,  # once per item the email showed
            "click": 0,
            "like": 0,
            "dislike": 0,
        }
        assert (await counters.subscriber_totals(reader))["open"] == 3


async def test_previews_keep_plain_links(pg_url: str, redis_url: str) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, _):
        await runtime.ctx.content.add_many([item(1, "natural language processing")])
        reader = await subscriber(runtime, "previewer")
        digest = await runtime.ctx.pipeline.assemble(reader, "preview")
        rendered = await runtime.ctx.pipeline.renderer.render(digest, "email", links=runtime.links)
        assert "/t/c/" not in (rendered.html or "") and "/t/o/" not in (rendered.html or "")
        assert "https://papers.example/natural-language-processing/1" in (rendered.html or "")


async def test_a_click_still_redirects_when_redis_is_down(
    pg_url: str, redis_url: str, unreachable_redis: Redis
) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, _):
        _, _, html = await _emailed_digest(runtime)
        store = runtime.engagement.store  # type: ignore[union-attr]
        app = make_app(tracking_routes(runtime.links, store, EngagementCounters(unreachable_redis)))
        async with TestClient(TestServer(app, host="127.0.0.1", port=0)) as client:
            path = CLICK.findall(html)[0].removeprefix(BASE_URL)
            response = await client.get(path, allow_redirects=False)
            assert response.status == 302  # the reader is sent on; only the count is lost
            assert response.headers["Location"].startswith("https://papers.example/")
