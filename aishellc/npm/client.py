"""Fetching package documents from npm registries over HTTP(S).

``GET <registry>/<name>`` (a scoped name as ``@scope%2fname``) with npm's ``Accept`` header
for the abbreviated document, the ``.npmrc`` credential for that URL, TLS verified
against the system trust store (truststore) plus the configured ``cafile``, through the
proxy the environment names (``HTTPS_PROXY``/``HTTP_PROXY``, ``NO_PROXY``; a proxy's
user and password become a ``Proxy-Authorization`` header and are never shown).

Every request has a deadline (``fetch-timeout``, else 30 s) for connecting, for each read
and for the whole answer, and an answer is read up to :data:`MAX_DOCUMENT_BYTES`. Anything
that goes wrong is a :class:`~aishellc.errors.UserError` naming the registry and the
package: unreachable, too slow, 404, 401/403, another status, too large, not JSON, not a
package document. Credentials never appear in a message.
"""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.request
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote, urlsplit, urlunsplit

import truststore
import urllib3
from urllib3.exceptions import (
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProxyError,
    SSLError,
    TimeoutError,
)

from aishellc import __version__
from aishellc.errors import UserError
from aishellc.input_files import size_text
from aishellc.npm.npmrc import NpmSettings, nerf_dart
from aishellc.npm.pick import MalformedDocument, Packument, parse_packument

ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
MAX_DOCUMENT_BYTES = 64 << 20
"""The largest package document read: the abbreviated document of a harness with
thousands of releases is a few MiB."""
_CHUNK = 1 << 16
_CONCURRENCY = 8


def package_url(registry: str, package: str) -> str:
    """Where a registry serves a package's document (npm escapes the scope's ``/``)."""
    return registry + package.replace("/", "%2f")


def _proxies(env: Mapping[str, str]) -> dict[str, str]:
    """The proxy variables as urllib reads them (the lowercase name wins)."""
    found: dict[str, str] = {}
    for scheme in ("http", "https", "no"):
        for name in (f"{scheme.upper()}_PROXY", f"{scheme}_proxy"):
            if env.get(name):
                found[scheme] = env[name]
    return found


def _ssl_context(cafile: str | None) -> ssl.SSLContext:
    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if cafile is not None:
        try:
            context.load_verify_locations(cafile=cafile)
        except (OSError, ssl.SSLError) as exc:
            raise UserError(
                f"cannot load the CA file {cafile!r} (cafile in the npm config): "
                f"{getattr(exc, 'strerror', None) or exc}",
                help="point cafile= at a readable PEM file of CA certificates",
            ) from None
    return context


class RegistryClient:
    """Fetches package documents as npm would; one per command run."""

    def __init__(self, settings: NpmSettings, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self._context = _ssl_context(settings.cafile)
        self._proxy_env = _proxies(os.environ if env is None else env)
        # room for every concurrent request's connection (else urllib3 drops them, warning)
        self._direct = urllib3.PoolManager(ssl_context=self._context, maxsize=_CONCURRENCY)
        self._via_proxy: dict[str, urllib3.ProxyManager] = {}

    def _pool(self, url: str) -> tuple[urllib3.PoolManager, str | None]:
        """The pool for ``url`` and the proxy it goes through (shown without a password)."""
        parts = urlsplit(url)
        proxy = self._proxy_env.get(parts.scheme)
        # typeshed lacks proxy_bypass_environment (urllib's NO_PROXY matching)
        bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if not proxy or bypass(parts.hostname or "", self._proxy_env):
            return self._direct, None
        proxy_parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        shown = urlunsplit(proxy_parts._replace(netloc=proxy_parts.netloc.rpartition("@")[2]))
        if shown not in self._via_proxy:
            headers = {}
            if "@" in proxy_parts.netloc:
                userinfo = unquote(proxy_parts.netloc.rpartition("@")[0])
                headers = urllib3.make_headers(proxy_basic_auth=userinfo)
            self._via_proxy[shown] = urllib3.ProxyManager(
                shown, proxy_headers=headers, ssl_context=self._context, maxsize=_CONCURRENCY
            )
        return self._via_proxy[shown], shown

    def packument(self, package: str) -> Packument:
        """The package document of ``package`` from its registry."""
        registry = self.settings.registry_for(package)
        url = package_url(registry, package)
        what = f"npm registry {registry} ({self._source(registry)}), package {package}"
        headers = {"Accept": ACCEPT, "User-Agent": f"aishellc/{__version__}"}
        credential = self.settings.credential_for(url)
        if credential is not None:
            headers["Authorization"] = f"{credential.scheme} {credential.value}"
        pool, proxy = self._pool(url)
        timeout = self.settings.timeout
        deadline = time.monotonic() + timeout
        try:
            response = pool.request(
                "GET",
                url,
                headers=headers,
                preload_content=False,
                timeout=urllib3.Timeout(connect=timeout, read=timeout),
                retries=urllib3.Retry(connect=0, read=0, status=0, other=0, redirect=5),
            )
        except HTTPError as exc:
            raise self._unreachable(exc, what, registry, proxy) from None
        try:
            if response.status != 200:
                raise self._refused(response.status, what, registry, url)
            body = self._read(response, deadline, what)
        except HTTPError as exc:
            raise self._unreachable(exc, what, registry, proxy) from None
        finally:
            response.release_conn()
        try:
            return parse_packument(json.loads(body), package)
        except (ValueError, RecursionError) as exc:
            reason = str(exc) if isinstance(exc, MalformedDocument) else "it is not JSON"
            raise UserError(
                f"{what}: the registry sent a malformed package document: {reason}",
                help="check that the URL points at an npm registry",
            ) from None

    def packuments(self, packages: Iterable[str]) -> dict[str, Packument]:
        """Several documents, fetched at once; the first failure (in name order) raises."""
        names = sorted(set(packages))
        if not names:
            return {}
        with ThreadPoolExecutor(max_workers=min(_CONCURRENCY, len(names))) as pool:
            futures = {name: pool.submit(self.packument, name) for name in names}
        return {name: futures[name].result() for name in names}

    # --- reading and errors -------------------------------------------------------------

    def _read(self, response: urllib3.BaseHTTPResponse, deadline: float, what: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        # read1: what has arrived, so that a server sending a byte at a time meets the
        # deadline too (read(n) would wait for n bytes, each recv within the read timeout)
        while chunk := response.read1(_CHUNK):
            size += len(chunk)
            if size > MAX_DOCUMENT_BYTES:
                raise UserError(
                    f"{what}: the package document is larger than {size_text(MAX_DOCUMENT_BYTES)}",
                    help="check that the URL points at an npm registry",
                )
            if time.monotonic() > deadline:
                raise self._slow(what)
            chunks.append(chunk)
        return b"".join(chunks)

    def _source(self, registry: str) -> str:
        if registry in self.settings.scopes.values() and registry != self.settings.registry:
            return f"a scope's registry in {self.settings.npmrc}"
        return self.settings.registry_source

    def _slow(self, what: str) -> UserError:
        return UserError(
            f"{what}: no complete answer within {self.settings.timeout:g} s",
            help="check the registry and your network, or raise fetch-timeout (milliseconds) "
            "in your .npmrc",
        )

    def _unreachable(
        self, exc: HTTPError, what: str, registry: str, proxy: str | None
    ) -> UserError:
        cause: BaseException = exc
        if isinstance(exc, MaxRetryError) and exc.reason is not None:
            cause = exc.reason
        npmrc = self.settings.npmrc
        # urllib3 makes NewConnectionError (refused, no such host) a ConnectTimeoutError too
        if isinstance(cause, TimeoutError) and not isinstance(cause, NewConnectionError):
            return self._slow(what)
        if isinstance(cause, SSLError):
            return UserError(
                f"{what}: TLS failed: {_reason(cause)}",
                help=f"if a proxy or a private CA signs the registry's certificate, add the "
                f"CA with cafile=/path/to/ca.pem in {npmrc}",
            )
        if isinstance(cause, ProxyError):
            return UserError(
                f"{what}: the proxy {proxy} failed: {_reason(cause)}",
                help="check HTTPS_PROXY / HTTP_PROXY, or list the registry host in NO_PROXY",
            )
        return UserError(
            f"{what}: cannot reach the registry: {_reason(cause)}",
            help="check the registry URL ([npm] registry in aishellc.toml, "
            f"NPM_CONFIG_REGISTRY or registry= in {npmrc}) and your network",
        )

    def _refused(self, status: int, what: str, registry: str, url: str) -> UserError:
        npmrc = self.settings.npmrc
        if status == 404:
            return UserError(
                f"{what}: not found (HTTP 404)",
                help="check the package name in the harness registry, and that this "
                "registry serves it (a scope may need @scope:registry= in .npmrc)",
            )
        if status in (401, 403):
            credential = self.settings.credential_for(url)
            if credential is None:
                hint = f"add a token for it to {npmrc}: {_token_line(registry)}"
            elif credential.unset:
                unset = ", ".join(credential.unset)
                hint = f"the token at {credential.location} names {unset}, which is not set"
            else:
                hint = f"the token at {credential.location} was refused; renew it"
            return UserError(f"{what}: access refused (HTTP {status})", help=hint)
        return UserError(
            f"{what}: the registry answered HTTP {status}",
            help="try again later, or check the registry URL",
        )


def _token_line(registry: str) -> str:
    return nerf_dart(registry) + ":_authToken=${NPM_TOKEN}"


def _reason(cause: BaseException) -> str:
    """The short reason of a connection failure (``[Errno 111] Connection refused``)."""
    if isinstance(cause, NewConnectionError):
        return str(cause).rpartition(": ")[2] or type(cause).__name__
    text = str(cause.args[-1] if cause.args else cause)
    return text or type(cause).__name__
