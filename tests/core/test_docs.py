"""The documentation stays honest: the README is the short page a newcomer needs and
starts with the two commands; every relative link (and its anchor) leads somewhere;
every setting the settings modules read is in docs/configuration.md, and nothing
listed there is a setting nobody reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
CONFIGURATION = ROOT / "docs" / "configuration.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, ROOT / "SECURITY.md", ROOT / "bench" / "README.md", *DOCS]

README_MAX_LINES = 200

FENCE = re.compile(r"^```.*?^```[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# How config/settings/*.py reads a variable: env.str("NAME", ...), env.bool(...),
# required("NAME"), at_least_one("NAME", ...).
SETTING_READ = re.compile(
    r"\b(?:env\.\w+|required|at_least_one)\(\s*\"([A-Z][A-Z0-9_]*)\"", re.DOTALL
)
# How other code reads one: os.environ.get("NAME") / os.environ.setdefault("NAME").
ENVIRON_READ = re.compile(r"environ\.(?:get|setdefault)\(\s*\"([A-Z][A-Z0-9_]*)\"")
# A Makefile variable: NAME ?= ..., $(NAME), $${NAME:-...}.
MAKE_VARIABLE = re.compile(
    r"^([A-Z][A-Z0-9_]*) \?=|\$\(([A-Z][A-Z0-9_]*)\)|\$\$\{([A-Z][A-Z0-9_]*)",
    re.MULTILINE,
)
TABLE_FIRST_CELL = re.compile(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", re.MULTILINE)


def prose(text: str) -> str:
    """Return ``text`` without its code blocks and code spans (no links in them)."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """Return the anchor GitHub gives ``heading``."""
    text = heading.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Return the anchors of every heading of ``page`` (repeats get -1, -2...)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(FENCE.sub("", page.read_text())):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def broken_links(page: Path, root: Path = ROOT) -> list[str]:
    """Return each relative link of ``page`` whose file or anchor does not exist."""
    broken = []
    for target in LINK.findall(prose(page.read_text())):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists():
            broken.append(f"{target}: no file {linked.relative_to(root)}")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor} in {linked.name}")
    return broken


def test_readme_is_short():
    lines = README.read_text().splitlines()
    assert len(lines) < README_MAX_LINES, (
        f"README.md has {len(lines)} lines: move details to docs/ and link them."
    )


def test_readme_starts_with_the_two_commands():
    lines = README.read_text().splitlines()
    assert lines[0].startswith("# ")
    assert lines[1:3] == ["", "```sh"]
    commands = [line.split("#")[0].strip() for line in lines[3:5]]
    assert commands == ["make run", "make test"]
    assert lines[5] == "```"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(page):
    assert broken_links(page) == []


def test_the_readme_links_every_docs_page():
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for target in LINK.findall(prose(README.read_text()))
    }
    assert [p.name for p in DOCS if p.resolve() not in linked] == []


def test_a_broken_link_or_anchor_is_found(tmp_path):
    """The link check itself: a missing file and a missing heading are reported."""
    (tmp_path / "other.md").write_text("# Other page\n\n## Keys and rotation\n")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n[ok](other.md#keys-and-rotation) [here](#page) "
        "[gone](missing.md) [no anchor](other.md#nowhere) "
        "[web](https://example.org/x) `[code](nowhere.md)`\n"
    )
    assert broken_links(page, root=tmp_path) == [
        "missing.md: no file missing.md",
        "other.md#nowhere: no heading #nowhere in other.md",
    ]


def settings_read() -> set[str]:
    names: set[str] = set()
    for module in (ROOT / "config" / "settings").glob("*.py"):
        names |= set(SETTING_READ.findall(module.read_text()))
    return names


def test_every_setting_is_documented():
    documented = set(TABLE_FIRST_CELL.findall(CONFIGURATION.read_text()))
    missing = sorted(settings_read() - documented)
    assert missing == [], f"Add these to docs/configuration.md: {missing}"


def test_no_documented_variable_is_stale():
    """Every variable in docs/configuration.md's tables is read by the settings, by
    other code (os.environ) or by the Makefile."""
    read = settings_read()
    sources = [ROOT / "manage.py"]
    for folder in ROOT.iterdir():
        if (folder / "apps.py").exists() or folder.name == "config":
            sources += folder.rglob("*.py")
    for source in sources:
        read |= set(ENVIRON_READ.findall(source.read_text()))
    for match in MAKE_VARIABLE.findall((ROOT / "Makefile").read_text()):
        read |= set(match) - {""}
    stale = sorted(set(TABLE_FIRST_CELL.findall(CONFIGURATION.read_text())) - read)
    assert stale == [], f"docs/configuration.md lists what nothing reads: {stale}"
