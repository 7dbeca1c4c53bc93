"""A notifier that POSTs signed JSON to an HTTP endpoint, and the receiver's check.

The body is the notification as :func:`payload` gives it, a JSON object tagged with
``"schema": "gesprekscyclus.notification/1"``. Three headers travel with it:

- ``X-Gesprekscyclus-Key``: the idempotency key; a receiver that has seen it may ignore it;
- ``X-Gesprekscyclus-Timestamp``: seconds since the Unix epoch, from the notifier's clock;
- ``X-Gesprekscyclus-Signature``: ``v1=`` and the hex HMAC-SHA256, keyed with the shared
  secret, of ``<timestamp>.<body>``.

A receiver calls :func:`verify_signature` before trusting the body; it rejects a wrong
signature and a timestamp too far from its own clock (a replayed request).

>>> from datetime import datetime, timezone
>>> body = b'{"schema": "gesprekscyclus.notification/1"}'
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> headers = signed_headers(b"s3cret", body, key="k-1", at=at)
>>> headers["X-Gesprekscyclus-Signature"][:3]
'v1='
>>> verify_signature(b"s3cret", headers, body, now=at)
>>> verify_signature(b"wrong", headers, body, now=at)
Traceback (most recent call last):
...
gesprekscyclus.errors.SignatureError: X-Gesprekscyclus-Signature: does not match the body
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import Message
from typing import Any

from gesprekscyclus.errors import InvalidValueError, SignatureError
from gesprekscyclus.ports.clock import Clock, SystemClock
from gesprekscyclus.ports.notifier import (
    Notification,
    PermanentNotificationError,
    TransientNotificationError,
)
from gesprekscyclus.serialization import from_data, to_data

__all__ = [
    "KEY_HEADER",
    "SCHEMA",
    "SCHEMAS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "WebhookNotifier",
    "encode",
    "payload",
    "read_payload",
    "sign",
    "signed_headers",
    "verify_signature",
]

#: The payload versions this module can write, by number, and their schema names.
SCHEMAS: Mapping[int, str] = {1: "gesprekscyclus.notification/1"}
#: The schema name of the current payload version.
SCHEMA = SCHEMAS[1]
#: The header with the notification's idempotency key, stable across retries.
KEY_HEADER = "X-Gesprekscyclus-Key"
#: The header with the signing time, in whole seconds since 1970-01-01 UTC.
TIMESTAMP_HEADER = "X-Gesprekscyclus-Timestamp"
#: The header with the signatures (``v1=<hex HMAC-SHA256>``), see docs/webhooks.md.
SIGNATURE_HEADER = "X-Gesprekscyclus-Signature"
_BODY_EXCERPT = 200


def payload(notification: Notification, *, version: int = 1) -> dict[str, Any]:
    """The JSON object sent for ``notification``: ``schema`` plus the notification's data.

    >>> from gesprekscyclus.ports.notifier import Recipient
    >>> note = Notification(key="k-1", kind="report_due",
    ...                     recipient=Recipient(id="m-1", name="Bob", role="manager"))
    >>> sorted(payload(note))
    ['action_item', 'conversation', 'key', 'kind', 'questions', 'recipient', 'schema']
    """
    if version not in SCHEMAS:
        raise InvalidValueError(
            "payload_version", f"unknown version {version!r}", allowed=sorted(SCHEMAS)
        )
    data = json.loads(json.dumps(to_data(notification)))
    return {"schema": SCHEMAS[version], **data}


def encode(notification: Notification, *, version: int = 1) -> bytes:
    """The exact request body for ``notification``: compact, key-sorted UTF-8 JSON."""
    return json.dumps(
        payload(notification, version=version),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


def read_payload(body: bytes | str) -> Notification:
    """The :class:`Notification` in a webhook body; rejects unknown schemas and stray keys."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise InvalidValueError("body", f"not JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise InvalidValueError("body", "expected a JSON object")
    schema = data.pop("schema", None)
    if schema not in SCHEMAS.values():
        raise InvalidValueError(
            "body.schema", f"unsupported schema {schema!r}", allowed=SCHEMAS.values()
        )
    return from_data(Notification, data)


def _timestamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise InvalidValueError("at", "needs a time zone (an aware datetime)")
    return str(int(at.timestamp()))


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value: ``v1=`` and the hex HMAC-SHA256 of ``<timestamp>.<body>``."""
    mac = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def signed_headers(secret: bytes, body: bytes, *, key: str, at: datetime) -> dict[str, str]:
    """The three webhook headers for ``body`` sent at ``at``."""
    timestamp = _timestamp(at)
    return {
        KEY_HEADER: key,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def _header(headers: Mapping[str, str] | Message[str, str], name: str) -> str:
    getter = getattr(headers, "get", None)
    value = getter(name) if getter is not None else None
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    if value is None:
        raise SignatureError(f"{name}: header missing")
    return str(value)


def verify_signature(
    secret: bytes,
    headers_or_values: Mapping[str, str] | Message[str, str] | tuple[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_seconds: int = 300,
) -> None:
    """Check that ``body`` was signed with ``secret`` recently; raise if not.

    ``headers_or_values`` is the request's headers (any mapping, or the
    ``email.message.Message`` that ``http.server`` hands a handler; names are matched without
    regard to case) or the pair ``(timestamp, signature)``. ``now`` is the receiver's time.
    Raises :class:`~gesprekscyclus.errors.SignatureError` when a header is missing or
    malformed, the timestamp is more than ``tolerance_seconds`` away from ``now``, or the
    signature does not match (compared in constant time).
    """
    if isinstance(headers_or_values, tuple):
        timestamp, signature = headers_or_values
    else:
        timestamp = _header(headers_or_values, TIMESTAMP_HEADER)
        signature = _header(headers_or_values, SIGNATURE_HEADER)
    if not timestamp.isascii() or not timestamp.isdigit():
        raise SignatureError(f"{TIMESTAMP_HEADER}: not a whole number of seconds: {timestamp!r}")
    if now.tzinfo is None:
        raise InvalidValueError("now", "needs a time zone (an aware datetime)")
    skew = abs(now.timestamp() - int(timestamp))
    if skew > tolerance_seconds:
        raise SignatureError(
            f"{TIMESTAMP_HEADER}: {timestamp} is {skew:.0f} s away from now "
            f"(tolerance {tolerance_seconds} s); a replayed or delayed request"
        )
    expected = sign(secret, timestamp, body)
    offered = [part.strip() for part in signature.split(",") if part.strip().startswith("v1=")]
    if not offered:
        raise SignatureError(f"{SIGNATURE_HEADER}: no v1 signature (allowed schemes: v1)")
    if not any(hmac.compare_digest(expected.encode(), value.encode()) for value in offered):
        raise SignatureError(f"{SIGNATURE_HEADER}: does not match the body")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Redirects are answered, not followed: a POST must not silently turn into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookNotifier:
    """POSTs each notification as signed JSON to ``url``; see the module docstring.

    2xx means delivered. 429, 5xx, time-outs and connection errors raise
    :class:`~gesprekscyclus.ports.notifier.TransientNotificationError`; any other status
    (other 4xx, an unfollowed 3xx) raises
    :class:`~gesprekscyclus.ports.notifier.PermanentNotificationError` with the status and
    the start of the response body. ``clock`` supplies the signed timestamp.
    """

    def __init__(
        self,
        url: str,
        *,
        secret: bytes,
        timeout: float = 10.0,
        payload_version: int = 1,
        clock: Clock | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise InvalidValueError(
                "WebhookNotifier.url", f"unsupported scheme {scheme!r}", allowed=("http", "https")
            )
        if not isinstance(secret, bytes) or not secret:
            raise InvalidValueError("WebhookNotifier.secret", "must be non-empty bytes")
        if timeout <= 0:
            raise InvalidValueError("WebhookNotifier.timeout", f"must be positive, got {timeout}")
        if payload_version not in SCHEMAS:
            raise InvalidValueError(
                "WebhookNotifier.payload_version",
                f"unknown version {payload_version!r}",
                allowed=sorted(SCHEMAS),
            )
        self.url = url
        self._secret = secret
        self.timeout = timeout
        self.payload_version = payload_version
        self._clock: Clock = clock or SystemClock()
        self._extra = dict(headers or {})
        self._opener = urllib.request.build_opener(_NoRedirects())

    def request_for(self, notification: Notification) -> urllib.request.Request:
        """The request :meth:`send` would make for ``notification``, signed now."""
        body = encode(notification, version=self.payload_version)
        at = self._clock.now().astimezone(UTC)
        headers = {
            **self._extra,
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "gesprekscyclus-webhook",
            **signed_headers(self._secret, body, key=notification.key, at=at),
        }
        # The scheme was checked in __init__: only http and https reach this point.
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` or raise a transient or permanent notification error."""
        request = self.request_for(notification)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError as error:
            raise _from_status(error, self.url) from error
        except urllib.error.URLError as error:
            raise TransientNotificationError(
                f"webhook {self.url}: {_describe(error.reason)}"
            ) from error
        except (OSError, http.client.HTTPException) as error:
            raise TransientNotificationError(f"webhook {self.url}: {_describe(error)}") from error


def _describe(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, BaseException):
        return f"{type(reason).__name__}: {reason}".rstrip(": ")
    return str(reason)


def _from_status(error: urllib.error.HTTPError, url: str) -> Exception:
    try:
        excerpt = error.read(_BODY_EXCERPT * 4).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        excerpt = ""
    finally:
        error.close()
    excerpt = " ".join(excerpt.split())[:_BODY_EXCERPT]
    reason = f"webhook {url}: HTTP {error.code} {error.reason}" + (
        f": {excerpt}" if excerpt else ""
    )
    if error.code == 429 or error.code >= 500:
        return TransientNotificationError(reason)
    return PermanentNotificationError(reason)
