"""PDF rendering with WeasyPrint, from templates and plain data, fetching nothing outside.

Customs networks are often closed, and a template must never make the server
reach a URL a user typed: the fetcher serves ``data:`` URLs and files of the
package's static folder only, and refuses everything else.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()


class PackageOnlyFetcher(URLFetcher):
    """Fetch ``data:`` URLs and the package's own static files; refuse any other URL."""

    def __init__(self):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)

    def fetch(self, url: str, headers=None):
        if url.startswith("file:"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if not path.is_relative_to(STATIC_ROOT):
                raise ValueError(f"refused to read {url}: outside the package's static files")
        return super().fetch(url, headers)


def render_pdf(template: str, **context) -> bytes:
    """Render the Jinja ``template`` with ``context`` (plain data) to PDF bytes."""
    html = render_template(template, **context)
    return HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/",
                url_fetcher=PackageOnlyFetcher()).write_pdf()
