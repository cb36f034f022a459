"""The front door and the manual: README.md short, its picture current, every relative link in README.md and docs/
resolving (a file, and a heading when the link names one), the key tables equal to the key map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def anchor(heading: str) -> str:
    """A heading's anchor as GitHub and mkdocs make it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)  # a "# comment" in a code block is no heading
    return {anchor(m.group(1)) for m in re.finditer(r"^#+ (.+)$", text, flags=re.M)}


def test_the_readme_is_a_front_door() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.split()) <= 1500
    assert "docs/linreg-tui.svg" in readme
    for page in ("app", "cli", "lessons", "classroom", "architecture", "performance", "testing"):
        assert f"(docs/{page}.md)" in readme, page


def test_the_anchor_rule() -> None:
    assert anchor("Take it home: the run as a program") == "take-it-home-the-run-as-a-program"
    assert anchor("The command `linreg`") == "the-command-linreg"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    links = [m.group(1) for m in LINK.finditer(page.read_text())]
    assert links or page.name not in ("README.md",)
    for link in links:
        if re.match(r"[a-z]+://", link) or link.startswith("mailto:"):
            continue
        path, _, fragment = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        assert target.exists(), f"{page.name}: {link} → {target} does not exist"
        if fragment and target.suffix == ".md":
            assert fragment in anchors(target), f"{page.name}: {link}: no heading #{fragment} in {target.name}"


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n[there](missing.md) and [here](#title) and [nowhere](#nothing)\n")
    links = [m.group(1) for m in LINK.finditer(page.read_text())]
    assert links == ["missing.md", "#title", "#nothing"]
    assert not (tmp_path / "missing.md").exists() and "title" in anchors(page) and "nothing" not in anchors(page)


def test_the_key_tables_come_from_the_key_map() -> None:
    from tui_app.keymap import markdown_table

    for page in (ROOT / "README.md", ROOT / "docs" / "app.md"):
        assert markdown_table() in page.read_text(), page.name


@pytest.mark.slow
async def test_the_readme_picture_is_current() -> None:
    from tui_app.screenshot import render

    current = (ROOT / "docs" / "linreg-tui.svg").read_text()
    assert await render() == current, "docs/linreg-tui.svg is out of date: run `make screenshots`"
