"""Everything that talks to a Docker engine and an OCI registry, apart from the compiler.

``compile``, ``check``, ``parse`` and ``plan`` (without ``--engine``) never import this
package (``tests/unit/test_startup_imports.py`` guards that):

- :mod:`~aishellc.engine.client`: questions to the engine through the Docker SDK (images,
  labels, containers, registry data) and pulls, pushes, tags and removals;
- :mod:`~aishellc.engine.buildkit`: builds through the docker CLI (BuildKit);
- :mod:`~aishellc.engine.decide`: pure: what to do with each tier, from what was observed;
- :mod:`~aishellc.engine.commands`: the ``build``, ``plan --engine`` and ``prune`` handlers.
"""
