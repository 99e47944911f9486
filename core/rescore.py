"""An optional second opinion on a digest's top candidates (an LLM behind the
CandidateRescorer port), blended with the local score by the subscriber's AI weight.

Without a rescorer, or when it has nothing to say, the local selection stands as is."""

from __future__ import annotations

from core.models import AIMetadata
from core.ports import CandidateRescorer
from core.ranking import STYLE_LIMITS, Scored, Selection, below_the_cut

RESCORE_TOP = 10
_STYLE_CUT = "ranked below the top"  # core.ranking's reason for items that passed every bar

__all__ = ["RESCORE_TOP", "CandidateRescorer", "rescore_selection"]


async def rescore_selection(
    rescorer: CandidateRescorer, selection: Selection, meta: AIMetadata, top: int = RESCORE_TOP
) -> Selection:
    """Ask the rescorer about the best `top` passing items; blend, re-rank and re-cut.

    score = (1 - w) × local + w × rescorer's, w = personalization.ai_scoring_weight."""
    cut_by_style = [s for s in selection.near_misses if (s.left_out or "").startswith(_STYLE_CUT)]
    pool = sorted([*selection.chosen, *cut_by_style], key=lambda s: -s.score)
    asked = [s for s in pool[:top] if s.item.id is not None]
    if not asked:
        return selection
    wants = meta.refined_requests
    opinions = await rescorer.rescore(wants, meta.prompts, [s.item for s in asked])
    if not opinions:
        return selection
    weight = meta.personalization.ai_scoring_weight
    for scored in asked:
        opinion = opinions.get(scored.item.id or 0)
        if opinion is not None:
            score, reason = opinion
            scored.score = round((1 - weight) * scored.score + weight * score, 4)
            scored.reasons.append(f"AI: {reason}")
    return _recut(selection, pool, meta)


def _recut(selection: Selection, pool: list[Scored], meta: AIMetadata) -> Selection:
    pool.sort(key=lambda s: (-s.score, -s.item.published_at.timestamp()))
    limit = STYLE_LIMITS[meta.personalization.style]
    threshold = meta.refined_requests.relevance_threshold
    chosen: list[Scored] = []
    left: list[Scored] = [s for s in selection.near_misses if s not in pool]
    for scored in pool:
        scored.left_out = None
        if scored.score < threshold:
            scored.left_out = f"score {scored.score:.2f} is under your threshold {threshold:.2f}"
        elif len(chosen) >= limit:
            scored.left_out = below_the_cut(limit, meta.personalization.style)
        else:
            chosen.append(scored)
            continue
        left.append(scored)
    left.sort(key=lambda s: -s.score)
    return Selection(chosen=chosen, near_misses=left, considered=selection.considered)
