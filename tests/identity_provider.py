"""A stand-in OpenID Connect provider on a local port, for browser tests of signing in: the steps a council's
provider (Microsoft Entra ID) takes with Streamlit's st.login, each real (its metadata, a redirect with a code, a
token exchange returning an RS256-signed ID token, its keys), with nobody asked for a password: whoever `signs_in`
names is signed in."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "dashboard-tests", "not-a-real-secret"


@dataclass
class Provider:
    url: str
    signs_in: str = ""  # the e-mail address of whoever is signed in next
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048))
    codes: dict[str, dict] = field(default_factory=dict)  # code -> the claims it is exchanged for

    def metadata(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/keys",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def authorize(self, query: dict[str, str]) -> str:
        """Where the browser goes next: back to the app with a code for whoever `signs_in` names."""
        code = secrets.token_urlsafe(16)
        now = int(time.time())
        self.codes[code] = {
            "iss": self.url,
            "sub": self.signs_in,
            "aud": query["client_id"],
            "iat": now,
            "exp": now + 600,
            "nonce": query.get("nonce"),
            "email": self.signs_in,
            "name": self.signs_in.split("@")[0],
        }
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query['state']})}"

    def token(self, form: dict[str, str]) -> dict:
        claims = self.codes.pop(form["code"])
        header = {"alg": "RS256", "kid": self.key.thumbprint()}
        id_token = jwt.encode(header, claims, self.key)
        return {
            "access_token": secrets.token_urlsafe(16),
            "token_type": "Bearer",
            "expires_in": 600,
            "id_token": id_token,
        }

    def keys(self) -> dict:
        public = self.key.as_dict(private=False)
        return {"keys": [{**public, "kid": self.key.thumbprint(), "use": "sig", "alg": "RS256"}]}


@contextmanager
def identity_provider() -> Iterator[Provider]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    provider = Provider(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.provider = provider  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


def secrets_toml(provider: Provider, app_url: str) -> str:
    """The [auth] section of the app's secrets.toml for this provider."""
    return (
        "[auth]\n"
        f'redirect_uri = "{app_url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(16)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n'
    )


class _Handler(BaseHTTPRequestHandler):
    def _provider(self) -> Provider:
        return self.server.provider  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802 (the http.server protocol)
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/.well-known/openid-configuration":
            self._json(self._provider().metadata())
        elif url.path == "/keys":
            self._json(self._provider().keys())
        elif url.path == "/authorize":
            self.send_response(302)
            self.send_header("Location", self._provider().authorize(query))
            self.end_headers()
        else:
            self.send_error(404)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
        if urlparse(self.path).path == "/token" and form.get("code") in self._provider().codes:
            self._json(self._provider().token(form))
        else:
            self._json({"error": "invalid_grant"}, status=400)

    def _json(self, body: dict, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the http.server protocol)
        pass
