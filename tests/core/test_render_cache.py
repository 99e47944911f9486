"""DigestRenderer's optional in-memory template cache: no template reads while fresh;
without it (the default) every render reads the source, so an edit shows at once."""

from __future__ import annotations

from collections import Counter

from core.render import DigestRenderer
from tests.core.test_render import Templates, digest


class CountingTemplates(Templates):
    def __init__(self) -> None:
        super().__init__()
        self.reads: Counter[str] = Counter()

    async def get_template(self, name: str) -> str:
        self.reads[name] += 1
        return await super().get_template(name)


async def test_a_cached_template_is_read_once_while_fresh() -> None:
    source = CountingTemplates()
    renderer = DigestRenderer(source, cache_seconds=30.0)
    first = await renderer.render(digest(4), "slack", publication_id=9)
    source.sources["subject.txt"] = "Edited subject"
    again = await renderer.render(digest(4), "slack", publication_id=9)
    assert again == first  # the edit is not seen yet: the cached copy is still fresh
    assert source.reads["slack_item.md"] == 1 and source.reads["subject.txt"] == 1


async def test_without_a_cache_every_render_reads_and_sees_edits() -> None:
    source = CountingTemplates()
    renderer = DigestRenderer(source)
    await renderer.render(digest(4), "slack")
    source.sources["subject.txt"] = "Edited subject"
    assert (await renderer.render(digest(4), "slack")).subject == "Edited subject"
    assert source.reads["slack_item.md"] == 2  # once per render: all items in one call


async def test_an_expired_template_is_read_again() -> None:
    source = CountingTemplates()
    renderer = DigestRenderer(source, cache_seconds=1e-9)  # stale as soon as stored
    await renderer.render(digest(1), "console")
    source.sources["subject.txt"] = "Edited subject"
    assert (await renderer.render(digest(1), "console")).subject == "Edited subject"
