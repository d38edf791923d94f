"""A real npm registry for tests: Verdaccio 6.8.0 on 127.0.0.1, its config and storage in a
temporary folder, no uplinks (nothing is fetched from the public registry).

Verdaccio is installed by ``.ci/run`` with ``npm install --prefix .ci/tools/verdaccio
verdaccio@6.8.0`` (6.8.0 runs on Node 20; 6.10 wants Node 22). Tests find it at
``$AISHELLC_VERDACCIO`` (the ``verdaccio`` executable) or in ``.ci/tools/verdaccio`` of this
checkout. Users are in an htpasswd file; reading ``@corp/*`` needs a login, the rest is
public; publishing always needs one. Packages are published with the real ``npm publish``.
With :class:`Https` it serves HTTPS only, with a certificate the test made; its clients
(this module's requests, ``npm publish``) trust that certificate's CA.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import attrs

from tests.services import free_port, wait_until_up

VERSION = "6.8.0"
ENV = "AISHELLC_VERDACCIO"
ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "ci-publisher", "not-a-real-password"
PROTECTED_SCOPE = "@corp"

_CONFIG = """\
storage: {storage}
auth:
  htpasswd:
    file: {htpasswd}
    max_users: -1
uplinks: {{}}
packages:
  '{protected}/*':
    access: $authenticated
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
log: {{ type: stdout, format: pretty, level: error }}
"""
_HTTPS = """\
https:
  key: {key}
  cert: {cert}
"""


def executable() -> Path | None:
    """The ``verdaccio`` to run, or None when it is not installed."""
    configured = os.environ.get(ENV)
    candidates = [Path(configured)] if configured else []
    candidates.append(ROOT / ".ci" / "tools" / "verdaccio" / "node_modules" / ".bin" / "verdaccio")
    return next((path for path in candidates if path.is_file()), None)


def missing() -> str | None:
    """Why a Verdaccio registry cannot be started here, or None."""
    if executable() is None:
        return (
            f"Verdaccio is not installed: run `npm install --prefix .ci/tools/verdaccio "
            f"verdaccio@{VERSION}` or set {ENV}"
        )
    if shutil.which("npm") is None:
        return "npm is not installed (needed to publish stand-in packages)"
    return None


@attrs.frozen
class Release:
    """A stand-in release: a tiny package whose bin prints its version."""

    package: str
    version: str
    binary: str
    tag: str | None = None


@attrs.frozen
class Https:
    """What serving HTTPS takes: the server's key and certificate (PEM), and the CA that
    signed the certificate (PEM), which the clients trust."""

    key: Path
    cert: Path
    ca: Path

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca)


@attrs.frozen
class Verdaccio:
    """A running registry: its URL, a login token and a folder to work in."""

    url: str
    token: str = attrs.field(repr=False)
    storage: Path
    work: Path
    cafile: Path | None = None

    @property
    def nerf_dart(self) -> str:
        return "//" + self.url.split("://", 1)[1]

    def npmrc(self, path: Path, *, token: bool = True, extra: str = "") -> Path:
        """Write an ``.npmrc`` for this registry (with the login token unless told not, and
        ``cafile=`` when it serves HTTPS)."""
        lines = [f"registry={self.url}"]
        if self.cafile is not None:
            lines.append(f"cafile={self.cafile}")
        if token:
            lines.append(f"{self.nerf_dart}:_authToken={self.token}")
        path.write_text("\n".join(lines) + "\n" + extra)
        return path

    def _npm(self, *args: str) -> None:
        userconfig = self.npmrc(self.work / "publisher.npmrc")
        command = ["npm", *args, "--registry", self.url, "--userconfig", os.fspath(userconfig)]
        command += ["--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"]
        result = subprocess.run(
            command, cwd=self.work, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr}")

    def publish(self, release: Release) -> None:
        folder = self.work / "packages" / release.package.replace("/", "+") / release.version
        folder.mkdir(parents=True)
        manifest = {
            "name": release.package,
            "version": release.version,
            "bin": {release.binary: "cli.js"},
            "files": ["cli.js"],
        }
        (folder / "package.json").write_text(json.dumps(manifest))
        (folder / "cli.js").write_text(
            f"#!/usr/bin/env node\nconsole.log({json.dumps(release.version + ' (stand-in)')})\n"
        )
        args = ["publish", os.fspath(folder), "--access", "public"]
        self._npm(*args, *(["--tag", release.tag] if release.tag else []))

    def publish_all(self, releases: list[Release]) -> None:
        """Publish several releases: packages at once, each package's versions in order."""
        by_package: dict[str, list[Release]] = {}
        for release in releases:
            by_package.setdefault(release.package, []).append(release)

        def publish_in_order(group: list[Release]) -> None:
            for release in group:
                self.publish(release)

        with ThreadPoolExecutor(max_workers=4) as pool:
            for future in [pool.submit(publish_in_order, g) for g in by_package.values()]:
                future.result()

    def dist_tag(self, package: str, version: str, tag: str) -> None:
        self._npm("dist-tag", "add", f"{package}@{version}", tag)

    def deprecate(self, package: str, version: str, message: str) -> None:
        self._npm("deprecate", f"{package}@{version}", message)


def _htpasswd_line() -> str:
    digest = base64.b64encode(hashlib.sha1(PASSWORD.encode()).digest()).decode()
    return f"{USER}:{{SHA}}{digest}:autocreated\n"


def _answers(url: str, context: ssl.SSLContext | None) -> bool:
    try:
        with urllib.request.urlopen(url + "-/ping", timeout=2, context=context) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def _login(url: str, context: ssl.SSLContext | None) -> str:
    """A token for the htpasswd user (what `npm login` gets)."""
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    request = urllib.request.Request(
        f"{url}-/user/org.couchdb.user:{USER}",
        data=json.dumps({"name": USER, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Basic {basic}"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10, context=context) as answer:
        return str(json.load(answer)["token"])


@contextlib.contextmanager
def running(folder: Path, https: Https | None = None) -> Iterator[Verdaccio]:
    """Start Verdaccio with its files in ``folder`` (over HTTPS with ``https``); stopped when
    the block ends."""
    binary = executable()
    if binary is None:
        raise RuntimeError(missing())
    storage, work = folder / "storage", folder / "work"
    storage.mkdir(parents=True)
    work.mkdir()
    (folder / "htpasswd").write_text(_htpasswd_line())
    config = folder / "config.yaml"
    text = _CONFIG.format(storage=storage, htpasswd=folder / "htpasswd", protected=PROTECTED_SCOPE)
    if https is not None:
        text += _HTTPS.format(key=https.key, cert=https.cert)
    config.write_text(text)
    port = free_port()
    scheme = "http" if https is None else "https"
    url = f"{scheme}://127.0.0.1:{port}/"
    context = None if https is None else https.context()
    log = folder / "verdaccio.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [binary, "--config", config, "--listen", f"{scheme}://127.0.0.1:{port}"],
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_up(
            lambda: _answers(url, context),
            process,
            lambda: f"Verdaccio did not answer at {url}: {log.read_text(errors='replace')}",
            timeout=60,
        )
        cafile = None if https is None else https.ca
        yield Verdaccio(url, _login(url, context), storage, work, cafile)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
