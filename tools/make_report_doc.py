"""Regenerate the rule sections of docs/report.md from gaitlab/report/rules.py.

Run ``python tools/make_report_doc.py`` after changing a rule; ``tests/test_report_rules.py`` fails
while the page is out of date. Only the text between ``## The patterns`` and ``## Figures`` is
replaced.
"""

from __future__ import annotations

import sys
from pathlib import Path

from gaitlab.report.rules import rules_markdown

START, END = "## The patterns\n\n", "\n## Figures"
DOC = Path(__file__).resolve().parents[1] / "docs" / "report.md"


def main(path: Path = DOC) -> int:
    doc = path.read_text(encoding="utf-8")
    i, j = doc.index(START) + len(START), doc.index(END)
    new = doc[:i] + rules_markdown() + doc[j:]
    if new != doc:
        path.write_text(new, encoding="utf-8")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:])))
