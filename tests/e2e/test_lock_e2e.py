"""The harness lock end to end (issue 12, acceptance 2-5): ``aishellc lock``, ``outdated``,
``update`` and ``build`` against a real npm registry (Verdaccio, ``tests/services``) and
the sandbox engine.

The registry serves stand-ins published under the real harness names (their bin prints
their version). Every project has the same small foundation and extension, so those two
are built once and answered from the cache afterwards; only the TLS scenario needs a
second foundation (the one with the test's CA). The scenarios run in this order and share
the registry: the bump publishes ``claude`` 1.1.0 (the new ``latest``), the others use
versions of their own. Every image the module tags is removed at the end.
"""

from __future__ import annotations

import base64
import difflib
import gzip
import hashlib
import io
import ipaddress
import json
import os
import re
import subprocess
import tarfile
import tomllib
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.e2e import dockerutil
from tests.e2e.tiers import Compiled, aishellc, keep_manifest, plan, write_project
from tests.services import verdaccio
from tests.services.verdaccio import Https, Release, Verdaccio

pytestmark = pytest.mark.docker

PREFIX = f"aishellc-e2e-lock-{uuid.uuid4().hex[:8]}"
CLAUDE, CODEX, CORP = "@anthropic-ai/claude-code", "@openai/codex", "@corp/agent"
RELEASES = [
    Release(CLAUDE, "1.0.0", "claude"),
    Release(CODEX, "0.40.0", "codex"),
    Release(CORP, "1.0.0", "agent"),  # its scope needs a login to read
]
CONFIG = """\
tag_prefix = "{prefix}"

[npm]
registry = "{registry}"

[foundation]
base_image = "debian:trixie-slim"
node_image = "node:24-trixie-slim"
tools = []
sqlite = false
apt_packages = ["bash", "gosu", "ca-certificates"]
{certificates}
[foundation.user]
sudo = false

[harnesses]
default = {harnesses}

[harnesses.extra.corp]
binary = "agent"
package = "{corp}"
"""
DOCKERFILE = "FROM aishell:base\nRUN echo one line of extension > /extension.txt\n"
BUILD_FLAGS = ("--network", "host", "--progress", "plain", "--format", "json")


@dataclass(frozen=True)
class Lab:
    registry: Verdaccio
    root: Path
    env: dict[str, str]

    def home(self, name: str, npmrc: str | None = None) -> dict[str, str]:
        """The environment of a user whose home is a new folder, with ``npmrc`` as their
        ``~/.npmrc`` when given."""
        home = self.root / "homes" / name
        home.mkdir(parents=True)
        if npmrc is not None:
            (home / ".npmrc").write_text(npmrc)
        return {**self.env, "HOME": os.fspath(home)}

    def project(
        self,
        name: str,
        harnesses: list[str],
        registry: str | None = None,
        certificates: Mapping[str, str] | None = None,
    ) -> Path:
        """A project of the shared foundation and extension (``certificates``: file name to
        PEM, written next to the config and listed in ``ca_certificates``)."""
        listed = f"ca_certificates = {json.dumps(sorted(certificates))}\n" if certificates else ""
        config = CONFIG.format(
            prefix=PREFIX,
            registry=registry or self.registry.url,
            certificates=listed,
            harnesses=json.dumps(harnesses),
            corp=CORP,
        )
        files = {f".aishell/{file}": pem for file, pem in (certificates or {}).items()}
        return write_project(self.root / name, DOCKERFILE, config, files)


def run(project: Path, env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return aishellc(project, *args, ".aishell/Dockerfile", env=env)


def build(project: Path, env: Mapping[str, str]) -> tuple[int, dict[str, Any], str]:
    """``aishellc build``: its exit code, its JSON table and its stderr (the build output)."""
    done = aishellc(project, "build", ".aishell/Dockerfile", "-o", "build", *BUILD_FLAGS, env=env)
    table = json.loads(done.stdout) if done.stdout.strip() else {}
    return done.returncode, table, done.stderr


def compiled(project: Path) -> Compiled:
    """The compile that ``build`` (or ``compile``) left in ``build/``."""
    return Compiled(project, "build", json.loads((project / "build/manifest.json").read_text()))


def actions(table: Mapping[str, Any]) -> list[str]:
    return [row["action"] for row in table["tiers"]]


def tags(table: Mapping[str, Any]) -> dict[str, str]:
    return {row["tier"]: row["tag"] for row in table["tiers"]}


def version_of(image: str, binary: str) -> str:
    return dockerutil.run(image, binary, "--version").strip()


@pytest.fixture(scope="module")
def lab(
    docker_host: str, stand_in_images: tuple[str, ...], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lab]:
    problem = verdaccio.missing()
    if problem is not None:
        pytest.skip(problem)
    root = tmp_path_factory.mktemp("lock-e2e")
    env = {"DOCKER_HOST": docker_host, "PATH": f"/usr/bin:{os.environ['PATH']}"}
    try:
        with verdaccio.running(root / "verdaccio") as registry:
            registry.publish_all(RELEASES)
            yield Lab(registry, root, env)
    finally:
        listed = dockerutil.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}")
        dockerutil.remove_images(
            *(tag for tag in listed.stdout.split() if tag.startswith(f"{PREFIX}:"))
        )


@pytest.fixture(autouse=True)
def no_user_npmrc(monkeypatch: pytest.MonkeyPatch) -> None:
    """Overrides the suite's fixture of that name: here each aishellc runs as a user whose
    ``~/.npmrc`` is the one :meth:`Lab.home` writes, with no npm or proxy variables."""
    for name in list(os.environ):
        if name.lower().startswith("npm_config_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


def lock_tables(text: str) -> dict[str, list[str]]:
    """The lines of each ``[[harness]]`` table of a lock, by the harness's name."""
    tables: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line == "[[harness]]":
            current = []
        current.append(line)
        if line.startswith("name = "):
            tables[json.loads(line.split(" = ", 1)[1])] = current
    return tables


def test_a_locked_harness_is_built_bumped_and_rebuilt_alone(lab: Lab) -> None:
    project = lab.project("bump", ["claude", "codex"])
    env = lab.home("bump")
    locked = run(project, env, "lock")
    assert locked.returncode == 0, locked.stderr
    lock = project / ".aishell" / "aishellc.lock"
    before = lock.read_text()

    code, table, stderr = build(project, env)
    assert code == 0, stderr
    assert version_of(table["final"], "claude") == "1.0.0 (stand-in)"
    first = tags(table)
    extension = dockerutil.image_id(first["extension"])
    previous = keep_manifest(compiled(project))

    lab.registry.publish(Release(CLAUDE, "1.1.0", "claude"))
    outdated = run(project, env, "outdated")
    assert outdated.returncode == 1, outdated.stderr
    rows = outdated.stdout.splitlines()[1:]
    assert [row.split() for row in rows] == [["claude", CLAUDE, "1.0.0", "1.1.0", "1.1.0"]]

    updated = run(project, env, "update")
    assert updated.returncode == 0, updated.stderr
    assert "claude 1.0.0 -> 1.1.0" in updated.stdout
    after = lock.read_text()
    changed = [
        line[1:]
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    # Only claude's version and integrity moved; codex's table is byte for byte the same.
    assert sorted(line.split(" = ")[0] for line in changed) == [
        "integrity",
        "integrity",
        "version",
        "version",
    ]
    assert all(
        line in lock_tables(before)["claude"] + lock_tables(after)["claude"] for line in changed
    )
    assert lock_tables(before)["codex"] == lock_tables(after)["codex"]

    recompiled = aishellc(project, ".aishell/Dockerfile", "-o", "build", env=env)
    assert recompiled.returncode == 0, recompiled.stderr
    planned = plan(compiled(project), previous)
    assert planned["rebuild"] == ["runtime"]

    code, table, stderr = build(project, env)
    assert code == 0, stderr
    assert actions(table) == ["up to date", "up to date", "built"]
    assert tags(table)["extension"] == first["extension"]
    assert dockerutil.image_id(first["extension"]) == extension
    assert tags(table)["runtime"] != first["runtime"]
    assert version_of(table["final"], "claude") == "1.1.0 (stand-in)"
    assert version_of(table["final"], "codex") == "0.40.0 (stand-in)"


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def replace_in_storage(registry: Verdaccio, release: Release, tarball: bytes) -> None:
    """Serve ``tarball`` for a published version: its file in Verdaccio's storage and the
    integrity the package document gives for it, both rewritten."""
    folder = registry.storage / release.package
    name = release.package.rsplit("/", 1)[-1]
    (folder / f"{name}-{release.version}.tgz").write_bytes(tarball)
    document_path = folder / "package.json"
    document = json.loads(document_path.read_text())
    dist = document["versions"][release.version]["dist"]
    dist["integrity"] = sri(tarball)
    dist["shasum"] = hashlib.sha1(tarball).hexdigest()
    document_path.write_text(json.dumps(document))


def packed(release: Release, text: str) -> bytes:
    """An ``npm pack``-shaped tarball of ``release`` whose bin prints ``text``."""
    files = {
        "package/package.json": json.dumps(
            {"name": release.package, "version": release.version, "bin": {release.binary: "cli.js"}}
        ).encode(),
        "package/cli.js": f"#!/usr/bin/env node\nconsole.log({json.dumps(text)})\n".encode(),
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size, info.mode = len(data), 0o755
            archive.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def test_a_tarball_replaced_in_the_registry_fails_the_runtime_build(lab: Lab) -> None:
    release = Release(CLAUDE, "1.2.0", "claude", tag="canary")
    lab.registry.publish(release)
    project = lab.project("tampered", ["claude@1.2.0"])
    env = lab.home("tampered")
    locked = run(project, env, "lock")
    assert locked.returncode == 0, locked.stderr

    # The same version, other bytes, and a package document that vouches for them: npm
    # itself sees nothing wrong, only the lock does.
    replaced = packed(release, "1.2.0 (replaced)")
    replace_in_storage(lab.registry, release, replaced)
    code, table, stderr = build(project, env)
    assert code != 0
    assert actions(table)[-1] == "failed"
    # What the check printed (a step's output line), not the echo of the command's text.
    printed = re.findall(rf"^#\d+ [\d.]+ aishellc: {re.escape(CLAUDE)}@1\.2\.0 (.*)$", stderr, re.M)
    [locked_claude] = tomllib.loads((project / ".aishell" / "aishellc.lock").read_text())["harness"]
    assert printed == [
        f"does not match aishellc.lock: its tarball has integrity {sri(replaced)}, "
        f"the lock says {locked_claude['integrity']}"
    ]
    assert dockerutil.image_id(tags(table)["runtime"]) is None


def saved_blobs(*images: str) -> Iterator[tuple[str, bytes]]:
    """Every file of ``docker save IMAGES`` (the layer tars, the image configs with their
    history, the manifests), by name; a gzip-compressed layer is given decompressed."""
    with subprocess.Popen(
        [dockerutil.DOCKER, "save", *images], stdout=subprocess.PIPE, env=dockerutil.docker_env()
    ) as saving:
        assert saving.stdout is not None
        with tarfile.open(fileobj=saving.stdout, mode="r|") as archive:
            for member in archive:
                extracted = archive.extractfile(member) if member.isfile() else None
                if extracted is not None:
                    data = extracted.read()
                    yield member.name, gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    assert saving.returncode == 0


def test_a_registry_token_reaches_the_build_and_nothing_it_leaves(lab: Lab) -> None:
    project = lab.project("secret", ["corp"])
    token = lab.registry.token
    env = lab.home("secret", f"{lab.registry.nerf_dart}:_authToken={token}\n")
    locked = run(project, env, "lock")
    assert locked.returncode == 0, locked.stderr
    code, table, stderr = build(project, env)
    assert code == 0, stderr
    assert version_of(table["final"], "agent") == "1.0.0 (stand-in)"
    manifest = json.loads((project / "build" / "manifest.json").read_text())
    assert "id=npmrc,src=~/.npmrc" in manifest["tiers"]["runtime"]["command"]

    printed = locked.stdout + locked.stderr + json.dumps(table) + stderr
    written = {path: path.read_bytes() for path in project.rglob("*") if path.is_file()}
    images = list(tags(table).values())
    described = [
        dockerutil.docker("history", "--no-trunc", image).stdout
        + dockerutil.docker("image", "inspect", image).stdout
        for image in images
    ]
    # One layer in memory at a time; the stand-in's own text shows the search finds what
    # is there.
    saved_with: dict[bytes, list[str]] = {
        b'console.log("1.0.0 (stand-in)")': [],
        token.encode(): [],
    }
    for name, blob in saved_blobs(*images):
        for needle, names in saved_with.items():
            names += [name] if needle in blob else []
    assert saved_with[b'console.log("1.0.0 (stand-in)")'] != []
    assert token not in printed
    assert [path for path, data in written.items() if token.encode() in data] == []
    assert [text for text in described if token in text] == []
    assert saved_with[token.encode()] == []


# The test CA's key comes from a fixed seed (Ed25519 keys and signatures are deterministic)
# and its certificate's fields are fixed, so its bytes are the same on every run: the
# foundation that trusts it (every step after its COPY, Node.js included) is built once per
# engine, not on every run. The server's key and certificate are new each time.
CA_SEED = hashlib.sha256(b"aishellc end-to-end test CA").digest()
VALID = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2045, 1, 1, tzinfo=UTC))
SERVER = ipaddress.ip_address("127.0.0.1")


def make_authority(folder: Path) -> Https:
    """The test CA, and a certificate it signed for 127.0.0.1, written to ``folder``."""
    ca_key = Ed25519PrivateKey.from_private_bytes(CA_SEED)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "aishellc e2e test CA")])
    signing = x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(VALID[0])
        .not_valid_after(VALID[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(signing, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, None)
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, str(SERVER))]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(VALID[0])
        .not_valid_after(VALID[1])
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(SERVER)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, None)
    )
    folder.mkdir()
    https = Https(folder / "server.key", folder / "server.pem", folder / "ca.pem")
    https.key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    https.cert.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    https.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return https


def test_a_registry_over_https_is_trusted_from_a_foundation_with_its_ca(lab: Lab) -> None:
    https = make_authority(lab.root / "tls")
    with verdaccio.running(lab.root / "tls" / "verdaccio", https) as registry:
        registry.publish(Release(CLAUDE, "1.0.0", "claude"))
        # aishellc on the host trusts the CA through `cafile=`; the builds cannot read that
        # file. The token makes the build mount this .npmrc, so that npm in the build reads
        # `fetch-retries=0`: it gives up on the untrusted certificate at once, not after
        # retrying for a minute.
        npmrc = f"cafile={https.ca}\n{registry.nerf_dart}:_authToken={registry.token}\n"
        env = lab.home("tls", npmrc + "fetch-retries=0\n")

        without = lab.project("tls-without", ["claude"], registry.url)
        assert run(without, env, "lock").returncode == 0
        code, table, stderr = build(without, env)
        assert code != 0
        assert actions(table)[-1] == "failed"
        # The step that failed is the harness's download from the registry.
        assert re.search(
            r"^#\d+ ERROR: .*npm pack .* --registry https://127\.0\.0\.1:", stderr, re.M
        )

        certificates = {"test-ca.crt": https.ca.read_text()}
        trusting = lab.project("tls-with", ["claude"], registry.url, certificates)
        assert run(trusting, env, "lock").returncode == 0
        code, table, stderr = build(trusting, env)
        assert code == 0, stderr
        assert version_of(table["final"], "claude") == "1.0.0 (stand-in)"
