"""A notifier that POSTs signed JSON to an HTTP endpoint, and the receiver's check.

By default the body carries ids, kinds and dates only (:func:`reference`, tagged
``"schema": "gesprekscyclus.notification-ids/1"``): no names, titles, questions, notes or
answers, since a webhook's receiver and its logs are one more place personal data would
end up. The receiver looks up what it needs with the ids. For the conversation types the
application names in ``full_payload_types`` the whole notification goes instead
(:func:`payload`, ``"schema": "gesprekscyclus.notification/1"``). With ``state_changes=True``
the notifier also delivers state changes
(:mod:`gesprekscyclus.domain.state_changes`, ``"schema": "gesprekscyclus.state-change/1"``,
see ``docs/events.md``): ids, kinds, statuses and dates, whatever ``full_payload_types``
says.

Requests follow Standard Webhooks (standardwebhooks.com), so any of its libraries verifies
them. Three headers travel with every body:

- ``webhook-id``: the message id, which is the notification's idempotency key (stable
  across retries; a receiver that has seen it may ignore the request);
- ``webhook-timestamp``: seconds since the Unix epoch, from the notifier's clock;
- ``webhook-signature``: ``v1,`` and the base64 HMAC-SHA256 of ``<id>.<timestamp>.<body>``,
  once for each secret, separated by spaces.

A secret is ``whsec_`` followed by the base64 of the key bytes (:func:`generate_secret`
makes one), or the raw key bytes. To rotate, give the notifier the new and the old secret:
it signs with both, and a receiver that knows either accepts the request.

A receiver calls :func:`verify_signature` before trusting the body; it rejects a wrong
signature and a timestamp too far from its own clock (a replayed request).

>>> from datetime import datetime, timezone
>>> body = b'{"schema": "gesprekscyclus.notification/1"}'
>>> at = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
>>> secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
>>> headers = signed_headers(secret, body, key="k-1", at=at)
>>> headers["webhook-signature"][:3]
'v1,'
>>> verify_signature(secret, headers, body, now=at)
'k-1'
>>> verify_signature(b"wrong", headers, body, now=at)
Traceback (most recent call last):
...
gesprekscyclus.errors.SignatureError: webhook-signature: does not match the body
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import itertools
import json
import re
import secrets as secrets_module
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any

from attrs import frozen

from gesprekscyclus.domain._checks import shown
from gesprekscyclus.domain.state_changes import to_json
from gesprekscyclus.errors import InvalidValueError, SignatureError
from gesprekscyclus.ports.clock import Clock, SystemClock
from gesprekscyclus.ports.notifier import (
    Notification,
    PermanentNotificationError,
    TransientNotificationError,
)
from gesprekscyclus.serialization import from_data, to_data

__all__ = [
    "ID_HEADER",
    "MAX_ID_HEADER",
    "MAX_SECRETS",
    "MAX_SIGNATURE_HEADER",
    "REFERENCE_SCHEMA",
    "SCHEMA",
    "SCHEMAS",
    "SECRET_PREFIX",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "NotificationReference",
    "Secret",
    "WebhookNotifier",
    "encode",
    "encode_reference",
    "encode_state_change",
    "generate_secret",
    "is_valid_signature",
    "message_id",
    "parse_secret",
    "parse_secrets",
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
#: The Standard Webhooks header with the message id (the idempotency key, signed).
ID_HEADER = "webhook-id"
#: The header with the signing time, in whole seconds since 1970-01-01 UTC.
TIMESTAMP_HEADER = "webhook-timestamp"
#: The header with the signatures (``v1,<base64 HMAC-SHA256>``, one per secret).
SIGNATURE_HEADER = "webhook-signature"
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
    # The guide travels by reference only: its text is the catalog's, not the message's.
    data.pop("guide", None)
    if data.get("guide_ref") is None:
        data.pop("guide_ref", None)

    data.pop("event", None)  # state changes have their own body (encode_state_change)
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
    and due date, and (for the leader's preparation reminder) ``guide_ref``, the reference of
    the type's guide.

    >>> from gesprekscyclus.ports.notifier import Recipient
    >>> note = Notification(key="k-1", kind="report_due",
    ...                     recipient=Recipient(id="m-1", name="Bob", role="manager"))
    >>> reference(note)
    {'schema': 'gesprekscyclus.notification-ids/1', 'key': 'k-1', 'kind': 'report_due', \
'recipient': {'id': 'm-1', 'role': 'manager'}, 'conversation': None, 'action_item': None}
    """
    talk = notification.conversation
    item = notification.action_item
    guide = {} if notification.guide_ref is None else {"guide_ref": notification.guide_ref}
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
        **guide,
    }


def encode_reference(notification: Notification) -> bytes:
    """The exact ids-only request body: compact, key-sorted UTF-8 JSON."""
    return json.dumps(
        reference(notification), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def encode_state_change(notification: Notification) -> bytes:
    """The exact body of a state-change notification: its
    :func:`~gesprekscyclus.domain.state_changes.to_json` object as compact, key-sorted UTF-8
    JSON (never names, notes or answers, whatever the receiver is configured for)."""
    if notification.event is None:
        raise InvalidValueError("notification", f"{notification.key!r} is no state change")
    return json.dumps(
        to_json(notification.event), ensure_ascii=False, sort_keys=True, separators=(",", ":")
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
    guide_ref: str | None = None


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
        guide_ref=data.get("guide_ref"),
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


#: One secret: ``whsec_`` and the base64 of the key, or the key's raw bytes.
Secret = str | bytes
#: The most secrets used at once (a rotation needs two).
MAX_SECRETS = 8
#: The prefix of a Standard Webhooks symmetric secret.
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def parse_secret(secret: Secret, path: str = "secret") -> bytes:
    """The key bytes of one secret: ``whsec_<base64>`` text, or the raw key bytes.

    >>> parse_secret("whsec_c2VjcmV0")
    b'secret'
    >>> parse_secret("secret")
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.InvalidValueError: secret: text must be 'whsec_' followed by the \
base64 of the key (see generate_secret), got 6 characters without that prefix
    """
    if isinstance(secret, bytes | bytearray):
        if not secret:
            raise InvalidValueError(path, "must not be empty")
        return bytes(secret)
    if not isinstance(secret, str):
        raise InvalidValueError(
            path, f"expected whsec_… text or bytes, got {type(secret).__name__}"
        )
    if not secret.startswith(SECRET_PREFIX):
        raise InvalidValueError(
            path,
            f"text must be {SECRET_PREFIX!r} followed by the base64 of the key (see "
            f"generate_secret), got {len(secret)} characters without that prefix",
        )
    encoded = secret[len(SECRET_PREFIX) :]
    if len(encoded) > 1024 or not _BASE64.fullmatch(encoded):
        raise InvalidValueError(path, f"the part after {SECRET_PREFIX!r} is not base64")
    key = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    if not key:
        raise InvalidValueError(path, "must not be empty")
    return key


def parse_secrets(secrets: Secret | Iterable[Secret], path: str = "secret") -> tuple[bytes, ...]:
    """The key bytes of one secret or several (for rotation), in the order given.

    >>> len(parse_secrets(["whsec_bmV3", "whsec_b2xk"]))
    2
    """
    if isinstance(secrets, str | bytes | bytearray):
        return (parse_secret(secrets, path),)
    try:
        given = list(itertools.islice(secrets, MAX_SECRETS + 1))
    except TypeError:
        raise InvalidValueError(
            path, f"expected a secret or a list of secrets, got {type(secrets).__name__}"
        ) from None
    if not 1 <= len(given) <= MAX_SECRETS:
        raise InvalidValueError(path, f"give 1 to {MAX_SECRETS} secrets, got {len(given)}")
    return tuple(parse_secret(secret, f"{path}[{index}]") for index, secret in enumerate(given))


def generate_secret(size: int = 32) -> str:
    """A new random secret of ``size`` bytes (24 to 64), as ``whsec_<base64>`` text.

    >>> secret = generate_secret()
    >>> secret.startswith("whsec_"), len(parse_secret(secret))
    (True, 32)
    """
    if isinstance(size, bool) or not isinstance(size, int) or not 24 <= size <= 64:
        raise InvalidValueError("size", f"must be a whole number from 24 to 64, got {shown(size)}")
    return SECRET_PREFIX + base64.b64encode(secrets_module.token_bytes(size)).decode("ascii")


def message_id(key: str) -> str:
    """The ``webhook-id`` for the idempotency key ``key``: the key itself when it is printable
    ASCII without spaces, else the key percent-encoded (so it always fits in a header).

    >>> message_id("report_due:c-17:m-1")
    'report_due:c-17:m-1'
    >>> message_id("préparation:c 1")
    'pr%C3%A9paration:c%201'
    """
    if key and all("!" <= char <= "~" for char in key) and "%" not in key:
        return key
    return urllib.parse.quote(key, safe="!#$&'()*+,-./:;<=>?@[]^_`{|}~")


def _digest(key: bytes, msg_id: str, timestamp: str, body: bytes) -> bytes:
    content = msg_id.encode("utf-8") + b"." + timestamp.encode("ascii") + b"." + body
    return hmac.new(key, content, hashlib.sha256).digest()


def sign(secret: Secret | Iterable[Secret], msg_id: str, timestamp: str, body: bytes) -> str:
    """The ``webhook-signature`` value: ``v1,<base64>`` of the HMAC-SHA256 of
    ``<msg_id>.<timestamp>.<body>`` for each secret, separated by spaces.

    >>> sign("whsec_c2VjcmV0", "k-1", "1772442000", b"{}")
    'v1,j20PvcWpU4YnUVtcdX68mRDsAgU/H/EA47Rt6RKPIsY='
    """
    return " ".join(
        "v1," + base64.b64encode(_digest(key, msg_id, timestamp, body)).decode("ascii")
        for key in parse_secrets(secret)
    )


def signed_headers(
    secret: Secret | Iterable[Secret], body: bytes, *, key: str, at: datetime
) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body`` with idempotency key ``key``, sent at
    ``at``, signed with each of the secrets."""
    timestamp = _timestamp(at)
    msg_id = message_id(key)
    return {
        ID_HEADER: msg_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, msg_id, timestamp, body),
    }


#: The longest signature header considered (several signatures fit easily).
MAX_SIGNATURE_HEADER = 4096
#: The longest ``webhook-id`` accepted.
MAX_ID_HEADER = 1024
# Seconds since 1970 in at most 12 digits: up to the year 33658, far past any real clock.
_MAX_TIMESTAMP_DIGITS = 12
# A base64 HMAC-SHA256: 32 bytes in 43 characters and one '=' of padding.
_V1 = re.compile(r"v1,([A-Za-z0-9+/]{43}=)")


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


def _values(headers_or_values: object) -> tuple[str, str, str]:
    if not isinstance(headers_or_values, tuple):
        return (
            _header(headers_or_values, ID_HEADER),
            _header(headers_or_values, TIMESTAMP_HEADER),
            _header(headers_or_values, SIGNATURE_HEADER),
        )
    if len(headers_or_values) != 3 or not all(isinstance(v, str) for v in headers_or_values):
        raise SignatureError("expected the triple (id, timestamp, signature) as three strings")
    msg_id, timestamp, signature = headers_or_values
    return msg_id, timestamp, signature


def _check_receiver(now: object, tolerance_seconds: object, body: object) -> None:
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
            "tolerance_seconds",
            f"must be a whole number of at least 0, got {shown(tolerance_seconds)}",
        )


def verify_signature(
    secret: Secret | Iterable[Secret],
    headers_or_values: Mapping[str, str] | Message[str, str] | tuple[str, str, str],
    body: bytes,
    *,
    now: datetime,
    tolerance_seconds: int = 300,
) -> str:
    """Check that ``body`` was signed with ``secret`` (or one of several) recently; return
    the message id (the idempotency key); raise if not.

    ``headers_or_values`` is the request's headers (any mapping, or the
    ``email.message.Message`` that ``http.server`` hands a handler; names are matched without
    regard to case) or the triple ``(id, timestamp, signature)``. ``now`` is the receiver's
    time. Raises :class:`~gesprekscyclus.errors.SignatureError` when a header is missing or
    malformed (whatever the sender put in it), the timestamp is more than
    ``tolerance_seconds`` away from ``now``, or no signature matches (compared in constant
    time). A receiver's own mistakes (a malformed ``secret``, a naive ``now``) raise
    :class:`~gesprekscyclus.errors.InvalidValueError`. The cost is bounded: a signature header
    longer than :data:`MAX_SIGNATURE_HEADER` characters, or an id longer than
    :data:`MAX_ID_HEADER`, is refused unread.

    >>> verify_signature(b"s3cret", ("k-1", "9" * 5000, "v1,00"), b"{}", now=datetime.now(UTC))
    Traceback (most recent call last):
    ...
    gesprekscyclus.errors.SignatureError: webhook-timestamp: not a whole number of \
seconds (at most 12 ASCII digits): '99999999999999999999...'
    """
    keys = parse_secrets(secret)
    _check_receiver(now, tolerance_seconds, body)
    msg_id, timestamp, signature = _values(headers_or_values)
    if not msg_id or len(msg_id) > MAX_ID_HEADER or not msg_id.isascii():
        raise SignatureError(
            f"{ID_HEADER}: must be 1 to {MAX_ID_HEADER} ASCII characters, got {len(msg_id)}"
            + ("" if msg_id.isascii() else " with others among them")
        )
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
    offered = [part for part in signature.split() if part.startswith("v1,")]
    if not offered:
        raise SignatureError(f"{SIGNATURE_HEADER}: no v1 signature (allowed schemes: v1)")
    given = [base64.b64decode(match.group(1)) for part in offered if (match := _V1.fullmatch(part))]
    content = bytes(body)
    expected = [_digest(key, msg_id, timestamp, content) for key in keys]
    if not any(hmac.compare_digest(want, got) for want in expected for got in given):
        raise SignatureError(f"{SIGNATURE_HEADER}: does not match the body")
    return msg_id


def is_valid_signature(
    secret: Secret | Iterable[Secret],
    headers_or_values: Mapping[str, str] | Message[str, str] | tuple[str, str, str],
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


#: What :func:`_check_url` allows, in its messages.
_URL_FORM = ("http://host[:port]/path", "https://host[:port]/path")
#: Characters the HTTP client refuses in a URL (it would raise only when sending).
_NOT_IN_URL = re.compile(r"[\x00-\x20\x7f]")


def _check_url(url: object) -> None:
    """Raise :class:`InvalidValueError` unless ``url`` is an http or https URL with a host
    (and a valid port) that the HTTP client can send to."""
    if not isinstance(url, str):
        raise InvalidValueError(
            "WebhookNotifier.url", f"must be text, got {type(url).__name__}", allowed=_URL_FORM
        )
    try:
        parts = urllib.parse.urlsplit(url)
        _ = parts.port  # a port that is not a number from 0 to 65535 raises here
    except ValueError as error:
        raise InvalidValueError(
            "WebhookNotifier.url", f"{url!r} is not a URL: {error}", allowed=_URL_FORM
        ) from None
    if parts.scheme not in ("http", "https"):
        raise InvalidValueError(
            "WebhookNotifier.url", f"unsupported scheme {parts.scheme!r}", allowed=("http", "https")
        )
    bad = _NOT_IN_URL.search(url)
    if bad is not None:
        raise InvalidValueError(
            "WebhookNotifier.url",
            f"{url!r} has a space or control character (U+{ord(bad.group()):04X}) at position "
            f"{bad.start()}",
            allowed=_URL_FORM,
        )
    if not parts.hostname:
        raise InvalidValueError("WebhookNotifier.url", f"{url!r} names no host", allowed=_URL_FORM)


class WebhookNotifier:
    """POSTs each notification as signed JSON to ``url``; see the module docstring.

    2xx means delivered. 429, 5xx, time-outs and connection errors raise
    :class:`~gesprekscyclus.ports.notifier.TransientNotificationError`; any other status
    (other 4xx, an unfollowed 3xx) raises
    :class:`~gesprekscyclus.ports.notifier.PermanentNotificationError` with the status and
    the start of the response body. ``clock`` supplies the signed timestamp. ``secret`` is
    one secret or several (during a rotation: the new and the old); each signs the request.
    ``full_payload_types`` lists the conversation types whose notifications go whole
    (:func:`payload`); all others carry ids, kinds and dates only (:func:`reference`).
    ``state_changes`` makes it deliver state changes too (:func:`encode_state_change`); by
    default it takes reminders only, so an existing receiver meets no new schema.
    """

    def __init__(
        self,
        url: str,
        *,
        secret: Secret | Iterable[Secret],
        timeout: float = 10.0,
        payload_version: int = 1,
        clock: Clock | None = None,
        headers: Mapping[str, str] | None = None,
        full_payload_types: Iterable[str] = (),
        state_changes: bool = False,
    ):
        _check_url(url)
        self._secrets = parse_secrets(secret, "WebhookNotifier.secret")
        if timeout <= 0:
            raise InvalidValueError("WebhookNotifier.timeout", f"must be positive, got {timeout}")
        if payload_version not in SCHEMAS:
            raise InvalidValueError(
                "WebhookNotifier.payload_version",
                f"unknown version {payload_version!r}",
                allowed=sorted(SCHEMAS),
            )
        self.url = url
        self.timeout = timeout
        self.payload_version = payload_version
        self._clock: Clock = clock or SystemClock()
        self._extra = dict(headers or {})
        if isinstance(full_payload_types, str):
            raise InvalidValueError(
                "WebhookNotifier.full_payload_types",
                f"expected a list of type keys, got {shown(full_payload_types)}",
            )
        self.full_payload_types: frozenset[str] = frozenset(full_payload_types)
        if not isinstance(state_changes, bool):
            raise InvalidValueError(
                "WebhookNotifier.state_changes",
                f"must be True or False, got {shown(state_changes)}",
            )
        self.state_changes: bool = state_changes
        self._opener = urllib.request.build_opener(_NoRedirects())

    def accepts(self, notification: Notification) -> bool:
        """Reminders always; state changes when built with ``state_changes=True``."""
        return self.state_changes or not notification.is_state_change

    def body_for(self, notification: Notification) -> bytes:
        """The body for ``notification``: the whole notification for the types in
        ``full_payload_types``, ids, kinds and dates for every other one, and a state
        change as :func:`encode_state_change`."""
        if notification.event is not None:
            return encode_state_change(notification)
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
            **signed_headers(self._secrets, body, key=notification.key, at=at),
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
