"""AIS204 final-user-not-root and AIS205 unknown-user: the user the image starts as, and the
users and groups the file names (issue 13, section 3)."""

from __future__ import annotations

import time

import pytest

from aishellc.parser import parse
from aishellc.passes import PassContext, run_passes
from aishellc.passes.unknown_user import check_unknown_user
from tests.passes.helpers import diagnostics, findings, positions

F = "FROM aishell:base\n"

# (Dockerfile, expected [(code, line)]) for AIS204
FINAL_USER = [
    # no USER at all is what the entrypoint needs
    (F, []),
    (F + "RUN apt-get update\n", []),
    (F + "USER developer\n", [("AIS204", 2)]),
    (F + "USER developer:developer\n", [("AIS204", 2)]),
    (F + "USER 1000\n", [("AIS204", 2)]),
    (F + "USER 1000:1000\n", [("AIS204", 2)]),
    (F + "USER root\n", []),
    (F + "USER 0\n", []),
    (F + "USER 0:0\n", []),
    (F + "USER root:developer\n", []),
    (F + "USER developer\nRUN make\nUSER root\n", []),
    (F + "USER root\nUSER developer\n", [("AIS204", 3)]),
    # inherited from the stage the final one builds on
    ("FROM aishell:base AS dev\nUSER developer\nFROM dev\nRUN true\n", [("AIS204", 2)]),
    ("FROM aishell:base AS dev\nUSER developer\nFROM dev\nUSER root\n", []),
    # another stage's USER does not reach the image
    ("FROM aishell:base AS build\nUSER developer\nFROM aishell:base\n", []),
    # variables: an ENV value is known; an ARG can be overridden, so nothing is said
    (F + "ENV ME=developer\nUSER $ME\n", [("AIS204", 3)]),
    (F + "ENV ME=root\nUSER ${ME}\n", []),
    (F + "ARG ME=developer\nUSER $ME\n", []),
    (F + "USER $UNSET\n", []),
    ("ARG ME=developer\nFROM aishell:base\nUSER ${ME}\n", []),
    # a final stage not on aishell is AIS201's
    ("FROM debian\nUSER developer\n", []),
    (F + "# aishellc ignore=AIS204\nUSER developer\n", []),
]


@pytest.mark.parametrize(("text", "expected"), FINAL_USER)
def test_final_user(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, ("AIS204",)) == expected


# (Dockerfile, expected [(code, line)]) for AIS205
UNKNOWN = [
    # USER
    (F + "USER developer\n", []),
    (F + "USER root\nUSER nobody\nUSER www-data:www-data\n", []),
    (F + "USER dev\n", [("AIS205", 2)]),
    (F + "USER developer:dev\n", [("AIS205", 2)]),
    (F + "USER 1234:5678\n", []),
    (F + "RUN useradd --create-home dev\nUSER dev\n", []),
    (F + "RUN adduser --disabled-password --gecos '' dev\nUSER dev:dev\n", []),
    (F + "USER dev\nRUN useradd dev\n", [("AIS205", 2)]),
    (F + "RUN useradd -c 'Build User' -s /bin/bash -u 1001 builder\nUSER builder:builder\n", []),
    (F + "RUN useradd builder -m -s /bin/bash\nUSER builder\n", []),
    (F + "RUN useradd -c 'Build User' builder\nUSER dev\n", [("AIS205", 3)]),
    (F + "RUN groupadd -g 2000 tools\nUSER tools\n", [("AIS205", 3)]),
    (F + "RUN adduser developer staff\nUSER developer:staff\n", []),
    (F + "ENV ME=dev\nUSER $ME\n", [("AIS205", 3)]),
    (F + "ARG ME=dev\nUSER $ME\n", []),
    (F + "USER ${NOBODY_KNOWS}\n", []),
    # COPY/ADD --chown
    (F + "COPY --chown=dev:dev a /b\n", [("AIS205", 2), ("AIS205", 2)]),
    (F + "COPY --chown=developer:developer a /b\n", []),
    (F + "ADD --chown=dev a /b\n", [("AIS205", 2)]),
    (F + "COPY --chown=1000:1000 a /b\n", []),
    (F + "RUN groupadd dev && useradd -g dev dev\nCOPY --chown=dev:dev a /b\n", []),
    (F + "ARG OWNER=dev\nCOPY --chown=$OWNER a /b\n", []),
    # chown / chgrp
    (F + "RUN chown -R dev:dev /opt\n", [("AIS205", 2), ("AIS205", 2)]),
    (F + "RUN chown -R developer:developer /opt\n", []),
    (F + "RUN chown dev /opt\n", [("AIS205", 2)]),
    (F + "RUN chown :dev /opt\n", [("AIS205", 2)]),
    (F + "RUN chown developer: /opt\n", []),
    (F + "RUN chown 1000:1000 /opt\n", []),
    (F + "RUN chown --reference=/etc /opt\n", []),
    (F + "RUN chown -R $USER /opt\n", []),
    (F + "RUN chgrp dev /opt\n", [("AIS205", 2)]),
    (F + "RUN chgrp -R staff /opt\n", []),
    (F + "RUN useradd -m dev && chown -R dev:dev /home/dev\n", []),
    (F + "RUN chown dev /opt && useradd dev\n", [("AIS205", 2)]),
    (F + "RUN groupadd docker && chgrp docker /var/run\n", []),
    (F + "RUN addgroup --system app && chgrp app /srv\n", []),
    (F + "RUN sudo chown dev /opt\n", [("AIS205", 2)]),
    (F + "RUN bash -c 'chown dev /opt'\n", [("AIS205", 2)]),
    (F + "RUN <<EOT\nset -e\nchown dev /opt\nEOT\n", [("AIS205", 4)]),
    # su, runuser, gosu, sudo, usermod
    (F + "RUN su dev -c true\n", [("AIS205", 2)]),
    (F + "RUN su - developer -c true\n", []),
    (F + "RUN su -g dev developer -c true\n", [("AIS205", 2)]),
    (F + "RUN runuser -u dev -- true\n", [("AIS205", 2)]),
    (F + "RUN runuser -u developer -- whoami\n", []),
    (F + "RUN gosu dev true\n", [("AIS205", 2)]),
    (F + "RUN gosu developer:developer true\n", []),
    (F + "RUN gosu nobody true\n", []),
    (F + "RUN sudo -u dev true\n", [("AIS205", 2)]),
    (F + "RUN sudo -udev true\n", [("AIS205", 2)]),
    (F + "RUN sudo --user=dev true\n", [("AIS205", 2)]),
    (F + "RUN sudo -u developer -g dev true\n", [("AIS205", 2)]),
    (F + "RUN sudo -u '#1000' true\n", []),
    (F + "RUN sudo apt-get update\n", []),
    (F + "RUN install -o dev -g dev -d /opt/tools\n", [("AIS205", 2), ("AIS205", 2)]),
    (F + "RUN install --owner=developer --group=developer -m 0755 tool /usr/local/bin\n", []),
    (F + "RUN install -m 0755 -o root tool /usr/local/bin\n", []),
    (F + "RUN usermod -aG docker developer\n", [("AIS205", 2)]),
    (F + "RUN usermod -aG sudo,staff developer\n", []),
    (F + "RUN usermod -aG sudo dev\n", [("AIS205", 2)]),
    (F + "RUN usermod -l dev developer\nUSER dev\n", []),
    (F + "RUN groupmod -n dev developer && chgrp dev /x\n", []),
    # what the analysis cannot see makes every name possible
    (F + "RUN apt-get install -y postgresql\nRUN chown postgres /var/lib/pg\n", []),
    (F + "RUN apt-get update && apt-get install -y docker.io && chgrp docker /x\n", []),
    (F + "RUN dpkg -i /tmp/tool.deb\nUSER tool\n", []),
    (F + "RUN echo 'dev:x:1001:1001::/home/dev:/bin/sh' >> /etc/passwd\nUSER dev\n", []),
    (F + "COPY passwd /etc/passwd\nUSER dev\n", []),
    (F + "COPY rootfs/ /\nUSER dev\n", []),
    (F + "RUN useradd $NAME\nUSER dev\n", []),
    (F + "RUN useradd -m -d /home/${NAME} ${NAME}\nUSER dev\n", []),
    (F + "RUN ./setup-users.sh\nUSER dev\n", []),
    (F + "RUN curl -fsSL https://example.com/install | sh\nUSER dev\n", []),
    (F + "RUN apt-get update\nUSER dev\n", [("AIS205", 3)]),
    # stages: the accounts of the stage built on carry over; other bases are unknown
    ("FROM aishell:base AS a\nRUN useradd dev\nFROM a\nUSER dev\n", []),
    ("FROM aishell:base AS a\nRUN useradd dev\nFROM aishell:base\nUSER dev\n", [("AIS205", 4)]),
    ("FROM debian AS build\nRUN chown dev /x\nFROM aishell:base\n", []),
    ("FROM aishell:base AS unused\nRUN chown dev /x\nFROM aishell:base\n", []),
    (
        "FROM aishell:base AS tools\nRUN chown dev /x\nFROM aishell:base\nCOPY --from=tools /x /x\n",
        [("AIS205", 2)],
    ),
    # an ONBUILD trigger runs in the next tier: its names are not checked here
    (F + "ONBUILD RUN chown dev /x\n", [("AIS202", 2)]),
    # suppressed
    (F + "# aishellc ignore=AIS205\nRUN chown -R dev:dev /opt\n", []),
    # ... on the next instruction only
    (F + "# aishellc ignore=AIS205\nUSER dev\nRUN chown dev /x\nUSER root\n", [("AIS205", 4)]),
]


@pytest.mark.parametrize(("text", "expected"), UNKNOWN)
def test_unknown_user(text: str, expected: list[tuple[str, int]]) -> None:
    assert findings(text, ("AIS205", "AIS202", "AIS002")) == expected


# (Dockerfile, the text each AIS205 points at)
LOCATIONS = [
    (F + "USER dev\n", ["dev"]),
    (F + "USER developer:staf\n", ["staf"]),
    (F + "COPY --chown=dev:dev a /b\n", ["dev", "dev"]),
    (F + "RUN chown -R dev:devs /opt\n", ["dev", "devs"]),
    (F + "RUN sudo -udev true\n", ["dev"]),
    (F + "RUN sudo --user=dev true\n", ["dev"]),
    (F + "RUN usermod -aG sudo,dockr developer\n", ["dockr"]),
    (F + "RUN true && \\\n    chown dev /opt\n", ["dev"]),
    (F + 'RUN ["chown", "dev", "/opt"]\n', ["dev"]),
    (F + "RUN bash -c 'chown dev /opt'\n", ["dev"]),
]


@pytest.mark.parametrize(("text", "words"), LOCATIONS)
def test_unknown_user_points_at_the_name(text: str, words: list[str]) -> None:
    lines = text.split("\n")
    found = [
        lines[line - 1][column - 1 : end_column - 1]
        for line, column, end_line, end_column in positions(text, "AIS205")
        if line == end_line
    ]
    assert found == words


def test_final_user_points_at_the_value_and_says_what_it_disables() -> None:
    assert positions(F + "USER  developer\n", "AIS204") == [(2, 7, 2, 16)]
    (diagnostic,) = [d for d in diagnostics(F + "USER developer\n") if d.code == "AIS204"]
    assert diagnostic.severity == "warning"
    assert "gosu" in diagnostic.message and "UID/GID" in diagnostic.message
    assert "USER root" in diagnostic.help


def test_unknown_user_lists_the_known_names() -> None:
    text = F + "RUN useradd builder\nUSER dev\n"
    (diagnostic,) = [d for d in diagnostics(text) if d.code == "AIS205"]
    assert diagnostic.severity == "error"
    assert diagnostic.message.startswith("user dev does not exist here")
    assert "known users: builder, developer, root" in diagnostic.help
    assert "useradd --create-home dev" in diagnostic.help


def test_the_configured_user_is_the_foundation_user() -> None:
    # aishellc.toml can name the user; then `dev` is right and `developer` is not.
    context = PassContext(foundation_user="dev")
    assert findings(F + "RUN chown dev:dev /x\n", ("AIS205",), context) == []
    assert findings(F + "USER developer\n", ("AIS205",), context) == [("AIS205", 2)]
    (diagnostic,) = [d for d in diagnostics(F + "USER dev\n", context) if d.code == "AIS204"]
    assert "runs the harness as dev" in diagnostic.help


def _seconds(text: str) -> float:
    document = parse(text)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        run_passes(document, PassContext(), passes=(check_unknown_user,))
        best = min(best, time.perf_counter() - start)
    return best


def test_the_cost_is_linear_in_chained_stages() -> None:
    # Each stage starts from where the stage it builds on ended; walking every stage's
    # lineage again made a chain of n stages cost n * n.
    def chain(n: int) -> str:
        stages = "".join(
            f"FROM s{i} AS s{i + 1}\nRUN chown u{i} /x\nUSER developer\n" for i in range(n)
        )
        return "FROM aishell:base AS s0\nRUN apt-get install -y x\n" + stages

    small, large = _seconds(chain(100)), _seconds(chain(800))
    assert large < 24 * small, (small, large)
