"""Email delivery through Amazon SES v2, with a printing placeholder when unconfigured."""

from bot.email.bulk import SES_BULK_LIMIT, BulkContent, BulkRecipient, send_bulk
from bot.email.factory import is_placeholder, make_email_deliverer, make_sesv2_client
from bot.email.identity import send_statistics, verify_sender
from bot.email.placeholder import PlaceholderEmailDeliverer
from bot.email.ses import IDEMPOTENCY_HEADER, SesEmailDeliverer

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SES_BULK_LIMIT",
    "BulkContent",
    "BulkRecipient",
    "PlaceholderEmailDeliverer",
    "SesEmailDeliverer",
    "is_placeholder",
    "make_email_deliverer",
    "make_sesv2_client",
    "send_bulk",
    "send_statistics",
    "verify_sender",
]
