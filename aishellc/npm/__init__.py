"""Talking to npm registries: npm's configuration (:mod:`.npmrc`), the HTTP client
(:mod:`.client`), npm's version choice (:mod:`.pick`) and the ``lock``, ``update`` and
``outdated`` commands (:mod:`.commands`). Nothing in ``compile``, ``check``, ``parse`` or
``plan`` imports this package's network modules."""
