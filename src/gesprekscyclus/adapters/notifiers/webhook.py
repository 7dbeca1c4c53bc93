"""A notifier that POSTs signed JSON to an HTTP endpoint, and the receiver's check.

By default the body carries ids, kinds and dates only (:func:`reference`, tagged
``"schema": "gesprekscyclus.notification-ids/1"``): no names, titles, questions, notes or
answers, since a webhook's receiver and its logs are one more place personal data would
end up. The receiver looks up what it needs with the ids. For the conversation types the
application names in ``full_payload_types`` the whole notification goes instead
(:func:`payload`, ``"schema": "gesprekscyclus.notification/1"``). Three headers travel with
either:

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
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any

from attrs import frozen

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
    "MAX_SIGNATURE_HEADER",
    "REFERENCE_SCHEMA",
    "SCHEMA",
    "SCHEMAS",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "NotificationReference",
    "WebhookNotifier",
    "encode",
    "encode_reference",
    "is_valid_signature",
    "payload",
    "read_payload",
    "read_reference",
    "reference",
    "sign",
    "signed_headers",
    "verify_signature",
]

#: The payload versions this module can write, by number, and their schema names.
SCHEMAS: Mapping[int, str] = {1: "gesprekscyclus.notification/1"}
#: The schema name of the current payload version.
SCHEMA = SCHEMAS[1]
#: The schema name of the ids-only body (:func:`reference`).
REFERENCE_SCHEMA = "gesprekscyclus.notification-ids/1"
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
    data.pop("expires_at", None)  # the outbox's concern, not part of schema version 1
    return {"schema": SCHEMAS[version], **data}


def encode(notification: Notification, *, version: int = 1) -> bytes:
    """The exact request body for ``notification``: compact, key-sorted UTF-8 JSON."""
    return json.dumps(
        payload(notification, version=version),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")


def reference(notification: Notification) -> dict[str, Any]:
    """The ids-only JSON object sent for ``notification``: its key and kind, the recipient's
    id and role, the conversation's ids, type, dates and state, the action item's id, owner
    and due date.

    >>> from gesprekscyclus.ports.notifier import Recipient
    >>> note = Notification(key="k-1", kind="report_due",
    ...                     recipient=Recipient(id="m-1", name="Bob", role="manager"))
    >>> reference(note)
    {'schema': 'gesprekscyclus.notification-ids/1', 'key': 'k-1', 'kind': 'report_due', \
'recipient': {'id': 'm-1', 'role': 'manager'}, 'conversation': None, 'action_item': None}
    """
    talk = notification.conversation
    item = notification.action_item
    return {
        "schema": REFERENCE_SCHEMA,
        "key": notification.key,
        "kind": notification.kind.value,
        "recipient": {"id": notification.recipient.id, "role": notification.recipient.role.value},
        "conversation": None
        if talk is None
        else {
            "id": talk.id,
            "type_key": talk.type_key,
            "employee_id": talk.employee_id,
            "manager_id": talk.manager_id,
            "on": talk.on.isoformat(),
            "starts_at": None if talk.starts_at is None else talk.starts_at.isoformat(),
            "sequence": talk.sequence,
            "cancelled": talk.cancelled,
        },
        "action_item": None
        if item is None
        else {
            "id": item.id,
            "owner_id": item.owner_id,
            "due": None if item.due is None else item.due.isoformat(),
        },
    }


def encode_reference(notification: Notification) -> bytes:
    """The exact ids-only request body: compact, key-sorted UTF-8 JSON."""
    return json.dumps(
        reference(notification), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def _body(body: bytes | str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except json.JSONDecodeError as error:
        raise InvalidValueError("body", f"not JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise InvalidValueError("body", "expected a JSON object")
    return data


def read_payload(body: bytes | str) -> Notification:
    """The :class:`Notification` in a full webhook body; rejects unknown schemas and stray
    keys. An ids-only body holds no notification: read it with :func:`read_reference`."""
    data = _body(body)
    schema = data.pop("schema", None)
    if schema == REFERENCE_SCHEMA:
        raise InvalidValueError(
            "body.schema", f"{schema!r} holds ids only: read it with read_reference"
        )
    if schema not in SCHEMAS.values():
        raise InvalidValueError(
            "body.schema", f"unsupported schema {schema!r}", allowed=SCHEMAS.values()
        )
    return from_data(Notification, data)


@frozen
class NotificationReference:
    """What an ids-only body says; see :func:`reference` for the fields."""

    key: str
    kind: str
    recipient_id: str
    recipient_role: str
    conversation_id: str | None = None
    type_key: str | None = None
    employee_id: str | None = None
    manager_id: str | None = None
    on: date | None = None
    starts_at: datetime | None = None
    sequence: int | None = None
    cancelled: bool | None = None
    action_item_id: str | None = None
    action_item_owner_id: str | None = None
    action_item_due: date | None = None


def _reference_of(data: Mapping[str, Any]) -> NotificationReference:
    talk = data.get("conversation") or {}
    item = data.get("action_item") or {}
    recipient = data["recipient"]
    return NotificationReference(
        key=str(data["key"]),
        kind=str(data["kind"]),
        recipient_id=str(recipient["id"]),
        recipient_role=str(recipient["role"]),
        conversation_id=talk.get("id"),
        type_key=talk.get("type_key"),
        employee_id=talk.get("employee_id"),
        manager_id=talk.get("manager_id"),
        on=date.fromisoformat(talk["on"]) if talk.get("on") else None,
        starts_at=datetime.fromisoformat(talk["starts_at"]) if talk.get("starts_at") else None,
        sequence=talk.get("sequence"),
        cancelled=talk.get("cancelled"),
        action_item_id=item.get("id"),
        action_item_owner_id=item.get("owner_id"),
        action_item_due=date.fromisoformat(item["due"]) if item.get("due") else None,
    )


def read_reference(body: bytes | str) -> NotificationReference:
    """The ids of a webhook body of either schema.

    >>> from gesprekscyclus.ports.notifier import Recipient
    >>> note = Notification(key="k-1", kind="report_due",
    ...                     recipient=Recipient(id="m-1", name="Bob", role="manager"))
    >>> read_reference(encode_reference(note)).recipient_id
    'm-1'
    """
    data = _body(body)
    schema = data.get("schema")
    if schema == REFERENCE_SCHEMA:
        try:
            return _reference_of(data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise InvalidValueError("body", f"not an ids-only notification: {error}") from None
    notification = read_payload(body)
    return _reference_of(reference(notification))


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


#: The longest signature header considered (several ``v1=`` values fit easily).
MAX_SIGNATURE_HEADER = 4096
# Seconds since 1970 in at most 12 digits: up to the year 33658, far past any real clock.
_MAX_TIMESTAMP_DIGITS = 12
_V1 = re.compile(r"v1=[0-9a-fA-F]{64}")


def _header(headers: object, name: str) -> str:
    """The text of header ``name`` (matched without regard to case); SignatureError when it
    is missing, not text, or ``headers`` is no mapping at all."""
    value: object = None
    getter = getattr(headers, "get", None)
    if callable(getter):
        value = getter(name)
    if value is None:
        items = getattr(headers, "items", None)
        if not callable(items):
            raise SignatureError(
                f"headers: expected a mapping of header names to values, got "
                f"{type(headers).__name__}"
            )
        lowered = name.lower()
        value = next((v for k, v in items() if isinstance(k, str) and k.lower() == lowered), None)
    if value is None:
        raise SignatureError(f"{name}: header missing")
    if isinstance(value, bytes | bytearray):
        try:
            value = bytes(value).decode("ascii")
        except UnicodeDecodeError:
            raise SignatureError(f"{name}: not ASCII text") from None
    if not isinstance(value, str):
        raise SignatureError(f"{name}: not text, got {type(value).__name__}")
    return value


def _values(
    headers_or_values: object,
) -> tuple[str, str]:
    if not isinstance(headers_or_values, tuple):
        return (
            _header(headers_or_values, TIMESTAMP_HEADER),
            _header(headers_or_values, SIGNATURE_HEADER),
        )
    if len(headers_or_values) != 2 or not all(isinstance(v, str) for v in headers_or_values):
        raise SignatureError("expected the pair (timestamp, signature) as two strings")
    timestamp, signature = headers_or_values
    return timestamp, signature


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
    malformed (whatever the sender put in it), the timestamp is more than
    ``tolerance_seconds`` away from ``now``, or the signature does not match (compared in
    constant time). A receiver's own mistakes (a ``secret`` that is not bytes, a naive
    ``now``) raise :class:`~gesprekscyclus.errors.InvalidValueError`. The cost is bounded:
    a signature header longer than :data:`MAX_SIGNATURE_HEADER` characters is refused unread.

    >>> verify_signature(b"s3cret", ("9" * 5000, "v1=00"), b"{}", now=datetime.now(UTC))
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SignatureError: X-Gesprekscyclus-Timestamp: not a whole number of \
seconds (at most 12 ASCII digits): '99999999999999999999...'
    """
    if not isinstance(secret, bytes | bytearray) or not secret:
        raise InvalidValueError("secret", "must be non-empty bytes")
    if not isinstance(body, bytes | bytearray | memoryview):
        raise InvalidValueError("body", f"must be the raw request bytes, got {type(body).__name__}")
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise InvalidValueError("now", "needs a time zone (an aware datetime)")
    if (
        isinstance(tolerance_seconds, bool)
        or not isinstance(tolerance_seconds, int)
        or tolerance_seconds < 0
    ):
        raise InvalidValueError(
            "tolerance_seconds", f"must be a whole number of at least 0, got {tolerance_seconds!r}"
        )
    timestamp, signature = _values(headers_or_values)
    if not (
        timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= _MAX_TIMESTAMP_DIGITS
    ):
        shown = timestamp if len(timestamp) <= 20 else timestamp[:20] + "..."
        raise SignatureError(
            f"{TIMESTAMP_HEADER}: not a whole number of seconds (at most "
            f"{_MAX_TIMESTAMP_DIGITS} ASCII digits): {shown!r}"
        )
    skew = abs(int(now.timestamp()) - int(timestamp))
    if skew > tolerance_seconds:
        raise SignatureError(
            f"{TIMESTAMP_HEADER}: {timestamp} is {skew} s away from now "
            f"(tolerance {tolerance_seconds} s); a replayed or delayed request"
        )
    if len(signature) > MAX_SIGNATURE_HEADER:
        raise SignatureError(
            f"{SIGNATURE_HEADER}: {len(signature)} characters, more than the "
            f"{MAX_SIGNATURE_HEADER} accepted"
        )
    offered = [part.strip() for part in signature.split(",") if part.strip().startswith("v1=")]
    if not offered:
        raise SignatureError(f"{SIGNATURE_HEADER}: no v1 signature (allowed schemes: v1)")
    expected = sign(bytes(secret), timestamp, bytes(body)).encode("ascii")
    well_formed = [value.encode("ascii") for value in offered if _V1.fullmatch(value)]
    if not any(hmac.compare_digest(expected, value.lower()) for value in well_formed):
        raise SignatureError(f"{SIGNATURE_HEADER}: does not match the body")


def is_valid_signature(
    secret: bytes,
    headers_or_values: Mapping[str, str] | Message[str, str] | tuple[str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_seconds: int = 300,
) -> bool:
    """:func:`verify_signature` as a yes/no answer: ``False`` for any request that does not
    verify, however malformed its headers are.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    >>> headers = signed_headers(b"s3cret", b"{}", key="k-1", at=at)
    >>> is_valid_signature(b"s3cret", headers, b"{}", now=at)
    True
    >>> is_valid_signature(b"s3cret", {TIMESTAMP_HEADER: "9" * 400}, b"{}", now=at)
    False
    """
    try:
        verify_signature(
            secret, headers_or_values, body, now=now, tolerance_seconds=tolerance_seconds
        )
    except SignatureError:
        return False
    return True


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
    ``full_payload_types`` lists the conversation types whose notifications go whole
    (:func:`payload`); all others carry ids, kinds and dates only (:func:`reference`).
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
        full_payload_types: Iterable[str] = (),
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
        if isinstance(full_payload_types, str):
            raise InvalidValueError(
                "WebhookNotifier.full_payload_types",
                f"expected a list of type keys, got {full_payload_types!r}",
            )
        self.full_payload_types: frozenset[str] = frozenset(full_payload_types)
        self._opener = urllib.request.build_opener(_NoRedirects())

    def body_for(self, notification: Notification) -> bytes:
        """The body for ``notification``: the whole notification for the types in
        ``full_payload_types``, ids, kinds and dates for every other one."""
        talk = notification.conversation
        if talk is not None and talk.type_key in self.full_payload_types:
            return encode(notification, version=self.payload_version)
        return encode_reference(notification)

    def request_for(self, notification: Notification) -> urllib.request.Request:
        """The request :meth:`send` would make for ``notification``, signed now."""
        body = self.body_for(notification)
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
