"""The demo household, the family of Homefront's founding story, and its `demo` command.

It builds on every other app and nothing imports it (an import-linter contract, run by
`make test`): `homefront setup` loads it by the command's name.
"""
