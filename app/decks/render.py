"""Deck Markdown -> sanitised HTML: text stays text, nothing loads, only web links are links."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token
    from markdown_it.utils import EnvType, OptionsDict

__all__ = ["LINK_OFF_THE_WEB", "MARKDOWN_EXTENSIONS", "WEB_SCHEMES", "is_web_link",
           "markdown_parser", "render_markdown"]

#: The only link schemes that become links; every other one (javascript:, file:, data:, a
#: relative path...) stays text. Web links open in the system browser, and only on a click.
WEB_SCHEMES = frozenset({"http", "https"})

#: The extensions the app shows (GitHub-flavoured tables and strikethrough), in both renderers
#: and in the Anki export.
MARKDOWN_EXTENSIONS = ("table", "strikethrough")

#: A "](" not followed by "http://" or "https://" and a character that starts a host. An inline
#: link's URL follows its "](" immediately, so text without a match has no inline link (or
#: image) to anything but a web host, and cmark, which keeps every link, may render it.
LINK_OFF_THE_WEB = re.compile(r"\]\((?!https?://[^\s/?#()<>\\&])")


def is_web_link(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a host: the only kind we link to."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme.lower() in WEB_SCHEMES and bool(parts.netloc)


def markdown_parser() -> MarkdownIt:
    """A new CommonMark parser with our policy; read-only once built, so threads may share one.

    - Raw HTML is off: ``<script>`` written in a deck is escaped and shown as text.
    - A link (inline, reference or autolink) is a link only if :func:`is_web_link` accepts its
      URL, checked by the parser itself after it has decoded entities and escapes; any other
      link is left as the text that was written. An empty destination, which the parser takes
      without asking, keeps its text and loses the link.
    - An image never becomes ``<img>`` (that would load it): it shows as "[image: alt]",
      linking to the image when that is a web URL (and not already inside a link).
    """
    from markdown_it import MarkdownIt

    class _WebLinksOnly(MarkdownIt):
        def validateLink(self, url: str) -> bool:
            return is_web_link(url)

    md = _WebLinksOnly("commonmark", {"html": False}).enable(list(MARKDOWN_EXTENSIONS))
    md.core.ruler.push("unlink_off_the_web", _unlink_off_the_web)
    md.add_render_rule("image", _image_as_link)
    return md


def _unlink_off_the_web(state: StateCore) -> None:
    """Drop the <a> (not its text) of every link whose URL is not a web link: "[a]()"."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        kept: list[Token] = []
        dropped: list[bool] = []  # per open link; CommonMark links do not nest, but be exact
        for token in block.children:
            if token.type == "link_open":
                dropped.append(not is_web_link(str(token.attrGet("href"))))
                if dropped[-1]:
                    continue
            elif token.type == "link_close" and dropped.pop():
                continue
            kept.append(token)
        block.children = kept


def _image_as_link(self: RendererHTML, tokens: Sequence[Token], idx: int,
                   options: OptionsDict, env: EnvType) -> str:
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    alt = self.renderInlineAsText(token.children, options, env).strip()
    label = escapeHtml(f"[image: {alt}]" if alt else "[image]")
    src = str(token.attrGet("src"))
    # An <a> inside an <a> is invalid: inside a link, an image is only its label.
    depth = sum(1 if t.type == "link_open" else -1 if t.type == "link_close" else 0
                for t in tokens[:idx])
    if depth > 0 or not is_web_link(src):
        return label
    return f'<a href="{escapeHtml(src)}">{label}</a>'


@functools.cache
def _shared_parser() -> MarkdownIt:
    return markdown_parser()


def _needs_the_policy(text: str) -> bool:
    """False when ``text`` surely holds no raw HTML, image, link reference definition, or link
    to anything but a web host: cmark's output then has no tag or URL the policy would refuse.

    Each needs literal characters: "<" for HTML and autolinks, "![" for an image, "]:" for a
    reference definition (without which "[a][b]" is text), "](" for an inline link.
    """
    return ("<" in text or "]:" in text or "![" in text
            or ("](" in text and LINK_OFF_THE_WEB.search(text) is not None))


def render_markdown(text: str) -> str:
    """Deck Markdown as sanitised HTML for a text view (see :func:`markdown_parser`).

    Text that cannot hold HTML, an image or a link off the web goes through cmark-gfm: its
    import is ~1 ms where markdown-it's is ~20 ms, which the first paint would pay for the
    first topic shown (the deck's description, with its credit link).
    """
    if not text.strip():
        return ""
    if _needs_the_policy(text):
        rendered: str = _shared_parser().render(text)
        return rendered
    import cmarkgfm

    # options=0 is cmark's safe mode: it would also drop raw HTML and javascript: URLs.
    html: str = cmarkgfm.markdown_to_html_with_extensions(text, options=0,
                                                          extensions=list(MARKDOWN_EXTENSIONS))
    return html
