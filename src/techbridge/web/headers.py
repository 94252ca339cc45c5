"""Security headers on every response (CSP, frame-ancestors, nosniff, Referrer-Policy; HSTS behind TLS), read from
`data/security/headers.yaml` and added by a pure ASGI middleware so streamed responses get them too."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class HeaderPolicy:
    """The headers for ordinary pages and the relaxed CSP for the API documentation pages."""

    common: tuple[tuple[bytes, bytes], ...]
    csp: bytes
    docs_csp: bytes
    docs_paths: frozenset[str]
    hsts: bytes


def _csp(directives: dict[str, Any]) -> bytes:
    parts = [f"{name} {' '.join(values)}" for name, values in directives.items() if name != "paths"]
    return "; ".join(parts).encode("ascii")


@lru_cache(maxsize=1)
def load_header_policy() -> HeaderPolicy:
    """The shipped policy, parsed once."""
    text = (resources.files("techbridge") / "data" / "security" / "headers.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    csp = data["content_security_policy"]
    common = tuple(
        (name.lower().encode("ascii"), str(value).encode("ascii")) for name, value in data["headers"].items()
    )
    return HeaderPolicy(
        common=common,
        csp=_csp(csp["default"]),
        docs_csp=_csp(csp["api_docs"]),
        docs_paths=frozenset(csp["api_docs"]["paths"]),
        hsts=str(data["strict_transport_security"]).encode("ascii"),
    )


class SecurityHeadersMiddleware:
    """Adds the policy's headers to every HTTP response (a header the app already set is kept)."""

    def __init__(self, app: ASGIApp, *, tls: bool) -> None:
        self.app = app
        self.tls = tls
        self.policy = load_header_policy()

    def headers_for(self, path: str) -> list[tuple[bytes, bytes]]:
        """The headers to add to a response for `path`."""
        csp = self.policy.docs_csp if path in self.policy.docs_paths else self.policy.csp
        extra = [*self.policy.common, (b"content-security-policy", csp)]
        if self.tls:
            extra.append((b"strict-transport-security", self.policy.hsts))
        return extra

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
