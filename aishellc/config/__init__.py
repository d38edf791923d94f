"""The configuration: aishellc.toml's model, its reader and locator, the defaults, the
harness registry, the value grammars every generated file relies on, PEM checks."""
