"""The JSON API under /api/v1/ through the real HTTP service, PostgreSQL and Redis."""

from __future__ import annotations

from typing import Any

import aiohttp

from tests.bot.engagement_runtime import API_TOKEN, item, serving, settings_for, subscriber

AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
NEW_SUBSCRIBER = {
    "name": "Ada",
    "platform": "slack",
    "platform_user_id": "U1",
    "email": "ada@example.com",
    "dispatch_type": "email",
    "frequency_settings": {"type": "weekly", "time_of_day": "09:30", "timezone": "Europe/Paris"},
    "ai_metadata": {"prompts": ["NLP"], "refined_requests": {"topics": ["nlp"]}},
}


async def _call(
    http: aiohttp.ClientSession, method: str, url: str, body: Any = None, **kw: Any
) -> tuple[int, Any]:
    headers = kw.pop("headers", AUTH)
    async with http.request(method, url, json=body, headers=headers, **kw) as response:
        return response.status, await response.json()


async def test_the_api_refuses_a_missing_or_wrong_token(pg_url: str, redis_url: str) -> None:
    async with (
        serving(settings_for(pg_url, redis_url)) as (_, base),
        aiohttp.ClientSession() as http,
    ):
        for resource in ("subscribers", "channels", "publications", "templates"):
            url = f"{base}/api/v1/{resource}"
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": API_TOKEN}):
                async with http.get(url, headers=headers) as response:
                    assert response.status == 401, (url, headers)
                    assert "error" in await response.json()
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
            status, _ = await _call(http, "POST", url, {"name": "x"}, headers={})
            assert status == 401
            status, body = await _call(http, "GET", url)
            assert status == 200 and body["data"] is not None


async def test_without_a_configured_token_the_api_is_off(pg_url: str, redis_url: str) -> None:
    settings = settings_for(pg_url, redis_url, api_token="")
    async with serving(settings) as (_, base), aiohttp.ClientSession() as http:
        status, body = await _call(http, "GET", f"{base}/api/v1/subscribers")
        assert status == 503
        assert "API_TOKEN" in body["error"]


async def test_subscribers_create_get_update_and_bad_input_changes_nothing(
    pg_url: str, redis_url: str
) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        url = f"{base}/api/v1/subscribers"
        async with aiohttp.ClientSession() as http:
            status, created = await _call(http, "POST", url, NEW_SUBSCRIBER)
            assert status == 201, created
            assert created["frequency"] == "weekly" and created["next_due_at"] is not None
            one = f"{url}/{created['id']}"
            assert await _call(http, "GET", one) == (200, created)

            patch = {"ai_metadata": {"alerts": {"enabled": True, "min_score": 0.9}}}
            status, updated = await _call(http, "PATCH", one, patch)
            assert status == 200
            assert updated["ai_metadata"]["alerts"]["enabled"] is True
            assert updated["ai_metadata"]["prompts"] == ["NLP"]  # nested objects merge
            assert updated["next_due_at"] == created["next_due_at"]  # schedule untouched
            stored = await runtime.ctx.subscribers.get(created["id"])  # through the cache
            assert stored is not None and stored.ai_metadata.alerts.min_score == 0.9

            bad: list[tuple[str, str, Any, int, str]] = [
                (
                    "POST",
                    url,
                    {
                        **NEW_SUBSCRIBER,
                        "platform_user_id": "U2",
                        "frequency_settings": {"timezone": "Mars/Base"},
                    },
                    422,
                    "frequency_settings.timezone",
                ),  # fmt: skip
                (
                    "POST",
                    url,
                    {**NEW_SUBSCRIBER, "platform_user_id": "U3", "email": "nope"},
                    422,
                    "email",
                ),  # fmt: skip
                (
                    "POST",
                    url,
                    {**NEW_SUBSCRIBER, "platform_user_id": "U4", "colour": "red"},
                    422,
                    "colour",
                ),  # fmt: skip
                ("POST", url, {**NEW_SUBSCRIBER, "id": 99}, 422, "id"),
                ("POST", url, {"name": "no identity"}, 422, "platform_user_id"),
                ("POST", url, NEW_SUBSCRIBER, 409, ""),  # the same identity again
                ("PATCH", one, {"platform_user_id": "U9"}, 422, "platform_user_id"),
                ("PATCH", one, {"dispatch_type": "pigeon"}, 422, "dispatch_type"),
                ("PATCH", f"{url}/999999", {"name": "ghost"}, 404, ""),
            ]
            for method, target, body, expected, field in bad:
                status, answer = await _call(http, method, target, body)
                assert status == expected, (body, answer)
                assert answer["error"]
                if field:
                    assert field in [d["field"] for d in answer["details"]], answer
            async with http.post(url, data=b"{not json", headers=AUTH) as response:
                assert response.status == 400
                assert "JSON" in (await response.json())["error"]
            assert await _call(http, "GET", one) == (200, updated)  # nothing half-written
        count = await runtime.pool.fetchval("SELECT count(*) FROM publishing_subscribers")
        assert count == 1


async def test_lists_page_with_a_next_link_and_validate_paging(pg_url: str, redis_url: str) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        for n in range(5):
            await subscriber(runtime, f"reader-{n}")
        async with aiohttp.ClientSession() as http:
            url, seen = f"{base}/api/v1/subscribers?limit=2", []
            pages = 0
            while url:
                status, page = await _call(http, "GET", url)
                assert status == 200 and page["limit"] == 2
                seen += [s["platform_user_id"] for s in page["data"]]
                url = f"{base}{page['next']}" if page["next"] else ""
                pages += 1
            assert pages == 3 and seen == [f"reader-{n}" for n in range(5)]
            for query in ("limit=0", "limit=101", "limit=two", "offset=-1"):
                status, body = await _call(http, "GET", f"{base}/api/v1/subscribers?{query}")
                assert status == 422, query
                assert body["details"][0]["field"] == query.split("=")[0]


async def test_channels_create_update_list(pg_url: str, redis_url: str) -> None:
    async with (
        serving(settings_for(pg_url, redis_url)) as (_, base),
        aiohttp.ClientSession() as http,
    ):
        url = f"{base}/api/v1/channels"
        body = {"platform": "slack", "platform_channel_id": "C1", "name": "research",
                "created_by": "U1"}  # fmt: skip
        status, created = await _call(http, "POST", url, body)
        assert status == 201 and created["next_due_at"] is not None
        status, updated = await _call(http, "PATCH", f"{url}/{created['id']}", {"name": "papers"})
        assert status == 200 and updated["name"] == "papers"
        status, listed = await _call(http, "GET", url)
        assert [c["name"] for c in listed["data"]] == ["papers"] and listed["next"] is None
        status, answer = await _call(http, "POST", url, {**body, "platform": "fax"})
        assert status == 422 and answer["details"][0]["field"] == "platform"
        assert (await _call(http, "GET", f"{url}/424242"))[0] == 404


async def test_template_updates_go_through_the_cache(pg_url: str, redis_url: str) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        url = f"{base}/api/v1/templates"
        cached = await runtime.templates.get_template("subject.txt")  # now in Redis
        async with aiohttp.ClientSession() as http:
            status, listed = await _call(http, "GET", f"{url}?limit=100")
            assert status == 200 and "subject.txt" in [t["name"] for t in listed["data"]]
            status, current = await _call(http, "GET", f"{url}/subject.txt")
            assert status == 200 and current["body"] == cached
            status, updated = await _call(
                http, "PATCH", f"{url}/subject.txt", {"body": "News for {{ recipient }}"}
            )
            assert status == 200 and updated["version"] == current["version"] + 1
            assert await runtime.templates.get_template("subject.txt") == "News for {{ recipient }}"

            status, broken = await _call(http, "PATCH", f"{url}/subject.txt", {"body": "{% if %}"})
            assert status == 422 and broken["details"][0]["field"] == "body"
            assert "line 1" in broken["details"][0]["message"]
            status, made = await _call(http, "POST", url, {"name": "alert.txt", "body": "Hi"})
            assert status == 201 and made["output_format"] == "alert"
            assert (await _call(http, "POST", url, {"name": "alert.txt", "body": "x"}))[0] == 409
            status, answer = await _call(http, "POST", url, {"name": "../etc", "body": "x"})
            assert status == 422 and answer["details"][0]["field"] == "name"


async def test_publications_are_created_by_sending_and_never_changed(
    pg_url: str, redis_url: str
) -> None:
    async with serving(settings_for(pg_url, redis_url)) as (runtime, base):
        await runtime.ctx.content.add_many([item(n, "natural language processing") for n in (1, 2)])
        reader = await subscriber(runtime, "reader")
        url = f"{base}/api/v1/publications"
        async with aiohttp.ClientSession() as http:
            status, made = await _call(http, "POST", url, {"subscriber_id": reader.id})
            assert status == 201, made
            assert [i["rank"] for i in made["items"]] == [1, 2]
            assert made["delivery_states"] == ["sent"]  # the console deliverer printed it
            assert await _call(http, "GET", f"{url}/{made['id']}") == (200, made)
            status, listed = await _call(http, "GET", f"{url}?subscriber_id={reader.id}")
            assert [p["id"] for p in listed["data"]] == [made["id"]]
            status, answer = await _call(http, "PATCH", f"{url}/{made['id']}", {"outcome": "x"})
            assert status == 405 and "cannot be changed" in answer["error"]
            for body in ({}, {"subscriber_id": "one"}, {"subscriber_id": 987654}):
                status, answer = await _call(http, "POST", url, body)
                assert status == 422 and answer["details"][0]["field"] == "subscriber_id"
            status, answer = await _call(http, "GET", f"{base}/api/v1/nothing-here")
            assert status == 404 and "no such API route" in answer["error"]
