"""Check the internal links of a built MkDocs site: every target file and anchor exists.

``mkdocs build --strict`` checks the links between Markdown pages; this checks the HTML it
produced, anchors included (``page/#section``), and the links the theme adds.

Usage: python scripts/check_site_links.py [SITE_DIR]   (default: site)
Exit 0 when every internal link resolves, 1 (listing the broken ones) otherwise.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINK_ATTRIBUTES = {"href", "src"}


class _Page(HTMLParser):
    """The links and the anchor targets (ids and names) of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.anchors: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in LINK_ATTRIBUTES:
                self.links.append(value)
            if name == "id" or (name == "name" and tag == "a"):
                self.anchors.add(value)


def _parse(path: Path, cache: dict[Path, _Page]) -> _Page:
    if path not in cache:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = page
    return cache[path]


def _target(site: Path, page: Path, url: str) -> Path | None:
    """Return the file ``url`` points at from ``page``, or None if it is not internal."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
        return None
    if not parts.path:
        return page
    base = site if parts.path.startswith("/") else page.parent
    target = (base / unquote(parts.path).lstrip("/")).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target


def check_site(site: Path) -> list[str]:
    """Return one line per broken internal link in the HTML files under ``site``."""
    site = site.resolve()
    cache: dict[Path, _Page] = {}
    problems = []
    for page_path in sorted(site.rglob("*.html")):
        name = page_path.relative_to(site).as_posix()
        for url in _parse(page_path, cache).links:
            target = _target(site, page_path, url)
            if target is None:
                continue
            if not target.is_file():
                problems.append(f"{name}: {url}: no such file")
                continue
            fragment = unquote(urlsplit(url).fragment)
            if fragment and target.suffix == ".html":
                if fragment not in _parse(target, cache).anchors:
                    problems.append(f"{name}: {url}: no element with id {fragment!r}")
    return problems


def main(argv: list[str]) -> int:
    site = Path(argv[1] if len(argv) > 1 else "site")
    if not (site / "index.html").is_file():
        print(f"check_site_links: {site}/index.html not found; build the site first")
        return 2
    problems = check_site(site)
    for problem in problems:
        print(problem)
    pages = len(list(site.rglob("*.html")))
    if problems:
        print(f"{len(problems)} broken internal link(s) in {pages} pages")
        return 1
    print(f"Internal links OK in {pages} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
