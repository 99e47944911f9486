"""Map SES/botocore failures onto the outbox's outcomes (retry, give up, or reconcile)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    ParamValidationError,
)

from core.delivery import DeliveryOutcome, DeliveryResult

_TRANSIENT_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "LimitExceededException",  # daily quota or send rate: it resets, the message is fine
        "ServiceUnavailable",
        "InternalFailure",
        "RequestTimeout",
    }
)
# SendBulkEmail reports per entry instead of raising; these statuses are worth a retry.
_TRANSIENT_BULK = frozenset(
    {"ACCOUNT_THROTTLED", "ACCOUNT_DAILY_QUOTA_EXCEEDED", "TRANSIENT_FAILURE", "FAILED"}
)


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # RFC 7231 dates are GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def classify_error(exc: ClientError | BotoCoreError) -> DeliveryResult:
    """Never raises: every botocore failure becomes a DeliveryResult."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code") or "Unknown"
        detail = f"{code}: {error['Message']}" if error.get("Message") else code
        meta = exc.response.get("ResponseMetadata", {})
        status = int(meta.get("HTTPStatusCode") or 0)
        if code in _TRANSIENT_CODES or status == 429 or status >= 500:
            retry_after = parse_retry_after(meta.get("HTTPHeaders", {}))
            return DeliveryResult(
                outcome=DeliveryOutcome.TRANSIENT, detail=detail, retry_after=retry_after
            )
        return DeliveryResult(outcome=DeliveryOutcome.PERMANENT, detail=detail)
    name = type(exc).__name__
    if isinstance(exc, ConnectionError):
        # Connect refused/timed out, DNS, TLS: nothing reached SES, so a retry is safe.
        return DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail=f"{name}: {exc}")
    if isinstance(exc, HTTPClientError):
        # Read timeout or connection dropped after the request went out. SES has no
        # idempotency key, so a blind retry could mail twice: the caller must reconcile.
        return DeliveryResult(
            outcome=DeliveryOutcome.UNKNOWN, detail=f"{name}: request may have been sent: {exc}"
        )
    if isinstance(exc, ParamValidationError):
        return DeliveryResult(outcome=DeliveryOutcome.PERMANENT, detail=f"{name}: {exc}")
    # Credentials, region, config: raised before sending and fixable by an operator.
    return DeliveryResult(outcome=DeliveryOutcome.TRANSIENT, detail=f"{name}: {exc}")


def bulk_entry_result(entry: Mapping[str, str]) -> DeliveryResult:
    """One BulkEmailEntryResult as a DeliveryResult."""
    status = entry.get("Status", "FAILED")
    if status == "SUCCESS":
        return DeliveryResult.sent(entry.get("MessageId"))
    detail = f"{status}: {entry['Error']}" if entry.get("Error") else status
    outcome = DeliveryOutcome.TRANSIENT if status in _TRANSIENT_BULK else DeliveryOutcome.PERMANENT
    return DeliveryResult(outcome=outcome, detail=detail)
