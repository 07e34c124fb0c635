"""A message body, written in Markdown, as safe HTML.

markdown-it-py (CommonMark, with tables and strikethrough) renders it with raw HTML
disabled, so ``<script>`` typed in a body is shown as text; nh3 then keeps only the
tags and attributes below, links only to http(s) and mailto, each with
``rel="noopener noreferrer"``. No image is ever rendered (an image would be fetched by
every reader's browser). Headings are moved down under the page's own (``#`` becomes
``<h3>``).
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({
    "a", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "li", "ol",
    "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# The page's title is h1, the message's subject h2: a body's headings start below them.
HEADING_SHIFT = 2


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.disable(["image"])

    def heading(renderer, tokens, index, options, env):
        token = tokens[index]
        token.tag = f"h{min(int(token.tag[1]) + HEADING_SHIFT, 6)}"
        return renderer.renderToken(tokens, index, options, env)

    parser.add_render_rule("heading_open", heading)
    parser.add_render_rule("heading_close", heading)
    return parser


_PARSER = _parser()


@lru_cache(maxsize=256)
def _render(text: str) -> str:
    html = _PARSER.render(text)
    return nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={
        tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES), link_rel="noopener noreferrer", strip_comments=True)


def render_markdown(text: str | None) -> Markup:
    """``text`` (Markdown) as sanitised HTML, safe to put in a page."""
    if not text:
        return Markup("")
    return Markup(_render(text))
