"""Resolution against a real npm registry (Verdaccio): npm's choice of version for every
kind of spec, and the integrity the lock records."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from aishellc.npm.client import ACCEPT, RegistryClient, package_url
from aishellc.npm.npmrc import load_settings
from aishellc.npm.pick import NoMatch, pick
from tests.lock.conftest import CLAUDE, CODEX, OPENCODE
from tests.services.verdaccio import Verdaccio

# (package, spec, version npm picks, or the words of the NoMatch)
PICKS = [
    (CLAUDE, "latest", "2.2.0"),
    (CLAUDE, "next", "3.0.0-beta.1"),
    (CLAUDE, "2.1.0", "2.1.0"),
    (CLAUDE, "2.1.5", "2.1.5"),  # an exact version: deprecated or not, that one
    (CLAUDE, "^2.1", "2.2.0"),  # `latest` is in the range: npm takes it
    (CLAUDE, "^2", "2.2.0"),
    (CLAUDE, "*", "2.2.0"),
    (CLAUDE, "~2.1.0", "2.1.0"),  # 2.1.5 is newer but deprecated
    (CLAUDE, ">=2.1.1 <2.2", "2.1.5"),  # deprecated, but the only match
    (CLAUDE, ">=1 <2", "1.0.0"),
    (CLAUDE, "1.x || 2.1.0", "2.1.0"),
    (CLAUDE, "^3.0.0-beta.0", "3.0.0-beta.1"),  # a range naming a prerelease matches it
    (
        CLAUDE,
        ">2.2.0",
        "no published version matches '>2.2.0' (latest: 2.2.0, newest: 3.0.0-beta.1)",
    ),
    (CLAUDE, "9.9.9", "version 9.9.9 is not published (latest: 2.2.0, newest: 3.0.0-beta.1)"),
    (CLAUDE, "nightly", "there is no dist-tag 'nightly' (tags: latest, next)"),
    (CODEX, "stable", "0.40.0"),
    (CODEX, "latest", "0.41.0"),
    (CODEX, "^0.40", "0.40.0"),  # ^0.x is the minor: 0.41 is outside
    (OPENCODE, "latest", "1.0.0"),
]


@pytest.fixture(scope="module")
def client(registry: Verdaccio, tmp_path_factory: pytest.TempPathFactory) -> RegistryClient:
    home = tmp_path_factory.mktemp("home")
    return RegistryClient(load_settings(registry.url, None, env={}, home=home), env={})


@pytest.mark.parametrize(("package", "spec", "expected"), PICKS)
def test_npm_picks_this_version(
    client: RegistryClient, package: str, spec: str, expected: str
) -> None:
    packument = client.packument(package)
    if expected[0].isdigit():
        assert pick(packument, spec).version == expected
    else:
        with pytest.raises(NoMatch) as caught:
            pick(packument, spec)
        assert str(caught.value) == expected


def test_integrity_is_the_sha512_of_the_tarball(
    registry: Verdaccio, client: RegistryClient
) -> None:
    release = pick(client.packument(CLAUDE), "2.1.0")
    tarball = f"{registry.url}{CLAUDE}/-/claude-code-2.1.0.tgz"
    with urllib.request.urlopen(tarball, timeout=10) as answer:
        digest = hashlib.sha512(answer.read()).digest()
    assert release.integrity == "sha512-" + base64.b64encode(digest).decode()


PICK_MANIFEST = """
const pick = require(process.argv[1]);
const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
console.log(JSON.stringify(rows.map(([doc, spec]) => {
  try { return pick(doc, spec).version; } catch (e) { return null; }
})));
"""


def test_the_same_picks_as_npm_itself(registry: Verdaccio) -> None:
    """Every row again through npm's own npm-pick-manifest (the copy inside the installed
    npm), on the same documents: a differential check of the port."""
    npm_root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, check=True)
    module = Path(npm_root.stdout.strip()) / "npm" / "node_modules" / "npm-pick-manifest"
    documents = {}
    for package in {row[0] for row in PICKS}:
        request = urllib.request.Request(
            package_url(registry.url, package), headers={"Accept": ACCEPT}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            documents[package] = json.load(answer)
    rows = [[documents[package], spec] for package, spec, _ in PICKS]
    result = subprocess.run(
        ["node", "-e", PICK_MANIFEST, str(module)],
        input=json.dumps(rows),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    npm_picks = json.loads(result.stdout)
    ours = [expected if expected[0].isdigit() else None for _, _, expected in PICKS]
    assert npm_picks == ours
