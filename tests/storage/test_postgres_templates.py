"""PgTemplateRepository and PgChannelRepository round trips."""

from __future__ import annotations

import asyncpg
import pytest

from core.models import Frequency, SubscriberStatus
from storage.postgres.channels import Channel, PgChannelRepository
from storage.postgres.templates import PgTemplateRepository

DEFAULTS = {"console.txt": "{{ digest }}", "email.html": "<p>{{ digest }}</p>"}


async def test_seed_adds_missing_refreshes_defaults_and_keeps_edits(pg_pool: asyncpg.Pool) -> None:
    repo = PgTemplateRepository(pg_pool)
    assert sorted(await repo.seed_defaults(DEFAULTS)) == ["console.txt", "email.html"]
    assert await repo.upsert("email.html", "email", "any", "<p>edited</p>") == 2
    assert await repo.seed_defaults(DEFAULTS | {"slack.json": "{}"}) == ["slack.json"]
    assert await repo.seed_defaults({}) == []
    # A new release's default replaces the old default, never the operator's edit.
    upgraded = {"console.txt": "v2 {{ digest }}", "email.html": "<p>v2</p>"}
    assert await repo.seed_defaults(upgraded) == ["console.txt"]
    assert await repo.get("console.txt") == "v2 {{ digest }}"

    assert await repo.get("email.html") == "<p>edited</p>"  # seeding kept the edit
    listed = {t.name: t for t in await repo.list()}
    assert list(listed) == ["console.txt", "email.html", "slack.json"]
    assert (listed["slack.json"].output_format, listed["slack.json"].version) == ("slack", 1)
    assert listed["email.html"].version == 2
    assert listed["console.txt"].version == 2


async def test_upsert_bumps_the_version_and_missing_is_none(pg_pool: asyncpg.Pool) -> None:
    repo = PgTemplateRepository(pg_pool)
    assert await repo.upsert("discord.json", "discord", "concise", "v1") == 1
    assert await repo.upsert("discord.json", "discord", "concise", "v2") == 2
    assert await repo.get_template("discord.json") == "v2"
    assert await repo.get("nope.txt") is None
    with pytest.raises(KeyError):
        await repo.get_template("nope.txt")


async def test_channels_save_find_and_list(pg_pool: asyncpg.Pool) -> None:
    repo = PgChannelRepository(pg_pool)
    first = await repo.save(
        Channel(platform="slack", platform_channel_id="C1", name="#ml", created_by="U1")
    )
    await repo.save(
        Channel(platform="discord", platform_channel_id="42", name="papers", created_by="7")
    )
    assert first.id is not None and first.frequency is Frequency.WEEKLY

    renamed = first.model_copy(
        update={"name": "#ml-papers", "created_by": "U2", "status": SubscriberStatus.PAUSED}
    )
    updated = await repo.save(renamed)
    assert updated.id == first.id
    assert (updated.name, updated.created_by) == ("#ml-papers", "U1")  # creator is kept
    assert await repo.find("slack", "C1") == updated == await repo.get(first.id)
    assert await repo.find("slack", "C404") is None
    assert [c.platform_channel_id for c in await repo.list()] == ["C1", "42"]
    assert [c.platform_channel_id for c in await repo.list("active")] == ["42"]
