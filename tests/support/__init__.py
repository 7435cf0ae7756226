"""Support code the tests share: how they run the real command line (`support.cli`) and how they
build their inputs (`support.scenarios`).

Only setup and the generic checks of a finished command live here. The independent references a
test compares lrtsim against (integrators, closed forms, checkers) stay in their own test files,
written apart from lrtsim and from one another.

Importable as `support` from every test folder: `[tool.pytest.ini_options] pythonpath` puts
`tests/` on `sys.path`.
"""
