"""Turning an `Authorization` header into a caller: public without one, else the role of a valid key.

`api.deps.caller_of` is the one dependency that does it for every route (GraphQL's context, the HSDS REST routes,
/metrics); a refused key raises `RequestRefused`, which the app answers in the shape of the API asked (api/app.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import HTTPException

from domain.roles import Role
from services.keys import KEY_PREFIX, KeyFileError, KeyStore, looks_like_key

log = logging.getLogger("safetynet.auth")


# ---------------------------------------------------------------- the Authorization header

AUTH_HINT = "ask an administrator for a key, or omit the header for public access"


class AuthError(Exception):
    """A request refused before any route runs: its HTTP status, message, `extensions.code` (GraphQL) and
    headers."""

    def __init__(self, status_code: int, message: str, *, code: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status_code, self.message, self.code, self.headers = status_code, message, code, headers or {}


class RequestRefused(HTTPException):
    """An AuthError as FastAPI's HTTPException (so that, raised in a dependency, it becomes the answer)."""

    def __init__(self, error: AuthError) -> None:
        super().__init__(error.status_code, detail=error.message, headers=error.headers)
        self.error = error


def invalid_api_key(reason: str, *, error: str = "invalid_token") -> AuthError:
    """401 with a Bearer challenge (RFC 6750: `invalid_token`, or `invalid_request` for a malformed header)."""
    return AuthError(401, f"invalid API key: {reason} ({AUTH_HINT})", code="UNAUTHENTICATED",
                     headers={"WWW-Authenticate": f'Bearer error="{error}"'})


@dataclass(frozen=True)
class Caller:
    role: Role
    key_name: str | None = None  # the key's name (never the key); None without a key


PUBLIC_CALLER = Caller(Role.PUBLIC)


def authenticate(authorization: list[str], store: KeyStore) -> Caller:
    """Who sends these Authorization header values: none → public; `Bearer <valid key>` → the key's role.
    Raises AuthError: 401 for a malformed header or an unknown or revoked key, 503 if the keys file changed
    and cannot be read (keyed requests are refused until it is fixed; public ones still pass)."""
    if not authorization:
        return PUBLIC_CALLER
    if len(authorization) > 1:
        raise invalid_api_key("send one Authorization header, not several", error="invalid_request")
    scheme, _, key = authorization[0].strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise invalid_api_key("the Authorization header must be `Bearer <key>`", error="invalid_request")
    if not looks_like_key(key):
        raise invalid_api_key(f"this is not a Safety Net Graph API key (they start with {KEY_PREFIX})")
    try:
        found = store.lookup(key)
    except KeyFileError as exc:
        log.error("API keys cannot be checked: %s", exc)
        raise AuthError(503, "API keys cannot be checked right now (the key store is unreadable); try again "
                        "shortly, or tell an administrator", code="KEY_STORE_UNAVAILABLE") from None
    if found is None:
        raise invalid_api_key("unknown or revoked key")
    return Caller(found.role, found.name)


__all__ = ["AUTH_HINT", "PUBLIC_CALLER", "AuthError", "Caller", "RequestRefused", "authenticate", "invalid_api_key"]
