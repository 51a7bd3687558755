"""The apps depend in one direction (docs/architecture.md): an import against the
order, or a cycle between apps, fails here as it fails `make lint`."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_app_imports_one_that_comes_after_it(monkeypatch):
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
