"""npm's configuration as the lock commands read it: ``${VAR}`` expansion, ini values,
nerf darts, which credential a request gets, which registry wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from aishellc.errors import UserError
from aishellc.npm.npmrc import (
    DEFAULT_REGISTRY,
    expand_env,
    load_settings,
    nerf_dart,
    parse_npmrc,
)

# (text, environment, expanded, variables left unset)
EXPANSIONS = [
    ("${A}", {"A": "x"}, "x", ()),
    ("a${A}b", {"A": "x"}, "axb", ()),
    ("${B}", {}, "${B}", ("B",)),  # npm keeps an unset variable as written
    ("${B?}", {}, "", ()),  # ...unless it is marked optional
    ("${A?}", {"A": "x"}, "x", ()),
    ("\\${A}", {"A": "x"}, "${A}", ()),  # an escaped $ is literal
    ("\\\\${A}", {"A": "x"}, "\\x", ()),  # an escaped backslash is not an escape
    ("$A", {"A": "x"}, "$A", ()),  # only the braced form expands
]


@pytest.mark.parametrize(("text", "env", "expanded", "unset"), EXPANSIONS)
def test_env_expansion_is_npms(
    text: str, env: dict[str, str], expanded: str, unset: tuple[str, ...]
) -> None:
    assert expand_env(text, env) == (expanded, unset)


# (line, key, value)
INI_LINES = [
    ("registry=https://r.example.com/", "registry", "https://r.example.com/"),
    ("  registry = https://r.example.com/  ", "registry", "https://r.example.com/"),
    ("registry=https://r.example.com/ ; comment", "registry", "https://r.example.com/"),
    ("registry=https://r.example.com/ # comment", "registry", "https://r.example.com/"),
    ('cafile="/etc/ssl/a;b.pem"', "cafile", "/etc/ssl/a;b.pem"),
    ("cafile='/etc/ssl/ca.pem'", "cafile", "/etc/ssl/ca.pem"),
    ("cafile=/etc/ssl/a\\;b.pem", "cafile", "/etc/ssl/a;b.pem"),
    ("//r.example.com/:_authToken=${T}", "//r.example.com/:_authToken", "tok"),
    ("${HOST_KEY}:_authToken=x", "//h/:_authToken", "x"),  # keys expand too
]


@pytest.mark.parametrize(("line", "key", "value"), INI_LINES)
def test_ini_lines(line: str, key: str, value: str) -> None:
    entries = parse_npmrc(line + "\n", ".npmrc", {"T": "tok", "HOST_KEY": "//h/"})
    assert list(entries) == [key]
    assert entries[key].value == value


def test_comments_sections_and_bare_keys_are_skipped() -> None:
    text = "; c\n# c\n[section]\nflag\n\nregistry=http://a/\nregistry=http://b/\n"
    entries = parse_npmrc(text, ".npmrc", {})
    assert list(entries) == ["registry"]
    assert entries["registry"].value == "http://b/"  # the last one wins, as in npm
    assert str(entries["registry"].location) == ".npmrc:7:1"


NERF_DARTS = [
    ("https://r.example.com/", "//r.example.com/"),
    ("https://r.example.com", "//r.example.com/"),
    ("https://r.example.com/team/", "//r.example.com/team/"),
    ("https://r.example.com/team", "//r.example.com/"),  # npm drops the last segment
    ("https://r.example.com:443/", "//r.example.com/"),  # the default port is dropped
    ("http://127.0.0.1:4873/", "//127.0.0.1:4873/"),
    ("https://r.example.com/team/@s%2fpkg", "//r.example.com/team/"),
]


@pytest.mark.parametrize(("url", "dart"), NERF_DARTS)
def test_nerf_dart(url: str, dart: str) -> None:
    assert nerf_dart(url) == dart


def settings_with(
    tmp_path: Path, npmrc: str, env: dict[str, str] | None = None, config: str | None = None
):
    (tmp_path / ".npmrc").write_text(npmrc)
    return load_settings(config, "aishellc.toml", env={} if env is None else env, home=tmp_path)


# (request URL, the token it gets)
REQUESTS = [
    ("https://r.example.com/team/@s%2fpkg", "team"),
    ("https://r.example.com/team/sub/pkg", "team"),  # walks up to /team/
    ("https://r.example.com/other/pkg", "host"),
    ("https://r.example.com/pkg", "host"),
    ("https://r.example.com:8443/pkg", None),  # another port is another registry
    ("https://elsewhere.example.com/pkg", None),
]


@pytest.mark.parametrize(("url", "token"), REQUESTS)
def test_the_credential_of_a_request(tmp_path: Path, url: str, token: str | None) -> None:
    settings = settings_with(
        tmp_path, "//r.example.com/:_authToken=host\n//r.example.com/team/:_authToken=team\n"
    )
    credential = settings.credential_for(url)
    assert (credential.value if credential else None) == token


def test_basic_auth_entry(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, "//r.example.com/:_auth=dXNlcjpwYXNz\n")
    credential = settings.credential_for("https://r.example.com/x")
    assert credential is not None and (credential.scheme, credential.value) == (
        "Basic",
        "dXNlcjpwYXNz",
    )


def test_tokens_stay_out_of_repr(tmp_path: Path) -> None:
    settings = settings_with(tmp_path, "//r.example.com/:_authToken=s3cr3t-token\n")
    assert "s3cr3t" not in repr(settings)
    assert "s3cr3t" not in repr(settings.credentials)


# (config's [npm] registry, NPM_CONFIG_REGISTRY, registry= in .npmrc, registry used, source)
PRECEDENCE = [
    (
        "https://config.example/",
        "https://env.example/",
        "https://rc.example/",
        "https://config.example/",
        "[npm] registry in aishellc.toml",
    ),
    (
        None,
        "https://env.example/",
        "https://rc.example/",
        "https://env.example/",
        "NPM_CONFIG_REGISTRY",
    ),
    (None, None, "https://rc.example", "https://rc.example/", "registry= in {npmrc}"),
    (None, None, None, DEFAULT_REGISTRY, "npm's default"),
]


@pytest.mark.parametrize(("config", "env", "rc", "registry", "source"), PRECEDENCE)
def test_which_registry_wins(tmp_path: Path, config, env, rc, registry: str, source: str) -> None:
    settings = settings_with(
        tmp_path,
        f"registry={rc}\n@corp:registry=https://corp.example/\n"
        if rc
        else "@corp:registry=https://corp.example/\n",
        {"npm_config_registry": env} if env else {},
        config,
    )
    assert settings.registry == registry
    assert settings.registry_source == source.format(npmrc=tmp_path / ".npmrc")
    assert settings.registry_for("@anthropic-ai/claude-code") == registry
    assert settings.registry_for("@corp/agent") == "https://corp.example/"  # a scope always wins


def test_npm_config_userconfig_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "ci.npmrc").write_text("registry=https://ci.example/\n")
    settings = load_settings(
        None, None, env={"NPM_CONFIG_USERCONFIG": str(tmp_path / "ci.npmrc")}, home=tmp_path
    )
    assert settings.registry == "https://ci.example/"
    assert settings.npmrc == settings.npmrc_path == str(tmp_path / "ci.npmrc")


def test_without_an_npmrc_none_is_read(tmp_path: Path) -> None:
    settings = load_settings(None, None, env={}, home=tmp_path)
    assert (settings.npmrc, settings.npmrc_path) == (None, str(tmp_path / ".npmrc"))
    assert settings.registry == DEFAULT_REGISTRY


# (.npmrc, start of the error)
BAD_NPMRC = [
    (
        "\nregistry=https://user:pw@r.example.com/\n",
        "{npmrc}:2:1: invalid npm registry 'https://***@r.example.com/' (registry=)",
    ),
    ("@corp:registry=ftp://r.example.com/\n", "{npmrc}:1:1: invalid npm registry"),
    (
        "fetch-timeout=soon\n",
        "{npmrc}:1:1: fetch-timeout must be a positive number of milliseconds",
    ),
    ("registry=\xff\n", "{npmrc}:1:1: invalid npm registry"),
]


@pytest.mark.parametrize(("text", "message"), BAD_NPMRC)
def test_a_bad_npmrc_is_a_located_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        settings_with(tmp_path, text)
    assert caught.value.render().startswith(message.format(npmrc=tmp_path / ".npmrc"))


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("registry=https://bob:hunter2@r.example.com/\n", {}),
        ("", {"NPM_CONFIG_REGISTRY": "https://bob:hunter2@r.example.com/"}),
        ("@corp:registry=http://bob:hunter2@r.example.com/\n", {}),
    ],
)
def test_a_refused_registry_is_quoted_without_its_password(
    tmp_path: Path, text: str, env: dict[str, str]
) -> None:
    (tmp_path / ".npmrc").write_text(text)
    with pytest.raises(UserError) as caught:
        load_settings(None, None, env=env, home=tmp_path)
    assert "hunter2" not in caught.value.render()
    assert "***@r.example.com" in caught.value.render()


def test_an_npmrc_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / ".npmrc").write_bytes(b"registry=https://r.example.com/\n\xff\n")
    with pytest.raises(UserError, match=r"\.npmrc:2:1: npm config is not valid UTF-8"):
        load_settings(None, None, env={}, home=tmp_path)
