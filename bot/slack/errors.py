"""Turn what slack_sdk and aiohttp raise into a DeliveryResult the outbox can act on."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError

from core.delivery import DeliveryOutcome, DeliveryResult

# Retrying cannot help: the recipient, channel or token is gone, or the message is invalid.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found", "cannot_dm_bot", "channel_not_found", "is_archived",
        "account_inactive", "not_in_channel", "user_disabled", "invalid_auth",
        "token_revoked", "msg_too_long",
    }
)  # fmt: skip
# Slack's own "try again later" errors (sent with HTTP 200 by some methods).
TRANSIENT_ERRORS = frozenset({"ratelimited", "service_unavailable", "request_timeout"})
# Slack documents these as "some aspect of the operation may have succeeded".
AMBIGUOUS_ERRORS = frozenset({"internal_error", "fatal_error"})
DEFAULT_RETRY_AFTER = 1.0


def _result(
    outcome: DeliveryOutcome, detail: str, retry_after: float | None = None
) -> DeliveryResult:
    return DeliveryResult(outcome=outcome, detail=detail, retry_after=retry_after)


def retry_after_of(exc: SlackApiError) -> float | None:
    """The Retry-After header of a 429, in seconds; None when it is not a 429."""
    response = exc.response
    status = getattr(response, "status_code", getattr(response, "status", None))
    if status != 429:
        return None
    try:
        return float(response.headers.get("Retry-After", DEFAULT_RETRY_AFTER))
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER


def classify_api_error(exc: SlackApiError, *, posting: bool) -> DeliveryResult:
    """`posting`: the call was chat.postMessage, where a lost outcome may mean a sent message."""
    response = exc.response
    status = getattr(response, "status_code", getattr(response, "status", 0))
    data = getattr(response, "data", None)
    error = str(data.get("error", "")) if isinstance(data, dict) else ""
    if (retry_after := retry_after_of(exc)) is not None:
        return _result(DeliveryOutcome.TRANSIENT, "ratelimited", retry_after)
    if status >= 500 or status == 408:
        return _result(DeliveryOutcome.TRANSIENT, f"http {status} {error}".strip())
    if error in PERMANENT_ERRORS:
        return _result(DeliveryOutcome.PERMANENT, error)
    if error in TRANSIENT_ERRORS:
        return _result(DeliveryOutcome.TRANSIENT, error)
    if error in AMBIGUOUS_ERRORS:
        outcome = DeliveryOutcome.UNKNOWN if posting else DeliveryOutcome.TRANSIENT
        return _result(outcome, error)
    # Anything else (invalid_blocks, missing_scope, an odd HTTP status) will fail the same
    # way next time, so retrying only delays the fallback.
    return _result(DeliveryOutcome.PERMANENT, error or f"http {status}")


def classify_transport_error(exc: BaseException, *, posting: bool) -> DeliveryResult:
    """A connection problem or timeout; ambiguous only once a post may have reached Slack."""
    detail = f"{type(exc).__name__}: {exc}".rstrip(": ")
    never_sent = isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError)
    answer_lost = isinstance(exc, TimeoutError | aiohttp.ClientOSError)
    answer_lost |= isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError)
    if posting and answer_lost and not never_sent:
        # chat.postMessage has no idempotency key: a blind retry could post the digest twice.
        return _result(DeliveryOutcome.UNKNOWN, detail)
    return _result(DeliveryOutcome.TRANSIENT, detail)
