"""The project's documentation stays inside the repository.

Users get the repository, not the design notes it was planned with: no file they read (the
library's docstrings and comments, docs/, the notebooks' text, the READMEs) may point them at a
note outside it, and every relative link in README.md and docs/*.md must reach a file that exists.
Definitions and sources belong in docs/methods.md (or another docs/ page, or gaitlab.schema).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Design notes and folders that are not part of the repository.
OUTSIDE = re.compile(r"running_science\.md|ARCHITECTURE\.md|STYLE\.md|\bble\.md|\.\./shared\b|/work/shared\b")

#: Inline links and images ``[text](target "title")`` and reference definitions ``[id]: target``.
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`[^`\n]*`")

TEXT_SUFFIXES = {".py", ".md", ".txt", ".html", ".htm", ".css", ".js", ".toml", ".json", ".cfg", ".ini",
                 ".yaml", ".yml", ".csv", ".j2", ".jinja", ".rst", ".tex"}


def _user_facing_files() -> list[Path]:
    files = [p for p in (ROOT / "gaitlab").rglob("*")
             if p.is_file() and p.suffix in TEXT_SUFFIXES and "__pycache__" not in p.parts]
    files += [p for p in (ROOT / "docs").rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]
    files += sorted((ROOT / "notebooks").glob("*.md"))
    files += [ROOT / "README.md", ROOT / "sample_data" / "README.md"]
    return sorted(p for p in files if p.is_file())


def _text(path: Path) -> str:
    """The text a reader sees: a notebook's markdown cells, else the whole file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if path.suffix == ".ipynb":
        cells = json.loads(text).get("cells", [])
        return "\n".join("".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown")
    return text


def outside_mentions(path: Path) -> list[str]:
    """``'file:line: text'`` for each line of ``path`` that points outside the repository."""
    out = []
    for i, line in enumerate(_text(path).splitlines(), 1):
        if OUTSIDE.search(line):
            out.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{i}: {line.strip()}")
    return out


def broken_links(path: Path) -> list[str]:
    """Relative links of a markdown file whose target file does not exist."""
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    text = CODE_SPAN.sub("", text)
    out = []
    for target in INLINE_LINK.findall(text) + REF_LINK.findall(text):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith(("#", "//")):
            continue  # a URL (http:, mailto:, ...) or an anchor in the same page
        file_part = target.split("#", 1)[0].split("?", 1)[0]
        if not file_part:
            continue
        if not (path.parent / file_part).exists():
            out.append(f"{path.name}: {target}")
    return out


def _markdown_pages() -> list[Path]:
    return [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def test_the_scanned_files_exist():
    files = _user_facing_files()
    assert ROOT / "README.md" in files
    assert ROOT / "docs" / "methods.md" in files
    assert any(p.suffix == ".py" for p in files)


@pytest.mark.parametrize("path", _user_facing_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_pointer_to_notes_outside_the_repository(path):
    hits = outside_mentions(path)
    assert not hits, "points users outside the repository (cite the source or docs/methods.md):\n" + \
        "\n".join(hits)


@pytest.mark.parametrize("path", _markdown_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_reach_existing_files(path):
    assert not broken_links(path)


def test_the_checks_catch_what_they_are_for(tmp_path):
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("# There\n")
    page.write_text(
        "See [the note](../shared/design/running_science.md) and STYLE.md.\n"
        "[ok](there.md#there) [gone](missing.md) ![img](pics/none.png) [web](https://example.org)\n"
        "[anchor](#top)\n\n[ref]: also_missing.md\n\n```\n[in code](not_checked.md)\n```\n"
        "`[in a span](not_checked_either.md)`\n"
    )
    assert len(outside_mentions(page)) == 1
    assert sorted(broken_links(page)) == ["page.md: ../shared/design/running_science.md", "page.md: also_missing.md",
                                          "page.md: missing.md", "page.md: pics/none.png"]
    ok = tmp_path / "ok.py"
    ok.write_text('"""Symmetry index: Robinson et al. 1987; see docs/methods.md and docs/table.md."""\n')
    assert outside_mentions(ok) == []


def _range_rows(text: str) -> dict[str, tuple[float, float]]:
    """``| `key` | low | high | ...`` rows of the methods page's range tables."""
    rows = re.findall(r"^\|\s*`(\w+)`\s*\|\s*(-?[\d.]+)\s*\|\s*(-?[\d.]+)\s*\|", text, re.MULTILINE)
    return {k: (float(lo), float(hi)) for k, lo, hi in rows}


def test_methods_page_gives_the_schema_plausible_ranges():
    from gaitlab.schema import PLAUSIBLE_SHOE, PLAUSIBLE_WAIST

    text = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    waist = text[text.index("`gaitlab.schema.PLAUSIBLE_WAIST`"):text.index("`gaitlab.schema.PLAUSIBLE_SHOE`")]
    shoe = text[text.index("`gaitlab.schema.PLAUSIBLE_SHOE`"):]
    assert _range_rows(waist) == PLAUSIBLE_WAIST
    shoe_rows = _range_rows(shoe)
    assert {k: shoe_rows.get(k) for k in PLAUSIBLE_SHOE} == PLAUSIBLE_SHOE
