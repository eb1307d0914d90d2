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

__all__ = ["CLOZE_COLOUR", "LINK_OFF_THE_WEB", "MARKDOWN_EXTENSIONS", "WEB_SCHEMES",
           "filled_in", "is_web_link", "markdown_parser", "render_markdown"]

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


# --- the back of a gap card, filled in place ------------------------------------------------

#: The colour of a filled-in gap (Anki's cloze blue), readable on light and dark backgrounds.
CLOZE_COLOUR = "#3b82f6"
_GAP = "[...]"  # app.decks.words.HIDDEN: how a gap shows on the front
_TOKEN = "qzgapfill{}qz"  # letters only: no Markdown meaning, survives both renderers


def filled_in(prompt: str, answer: str, kind: str) -> str | None:
    """The back of a gap card as Anki shows it: the front's text with each gap filled in place
    by the answer, highlighted (sanitised HTML). ``None`` for other cards, or when the sides do
    not line up as the card generator writes them (the caller then shows the answer as usual).

    - ``enum`` (an item of an ordered list): the front's bold "[...]" becomes the answer.
    - ``cloze``: the back is the whole text with the deletion in bold; each gap of the front
      ("[...]" or "[hint]") lines up with one bold span of the back, which is highlighted.
    """
    if kind == "enum":
        gap = f"**{_GAP}**"
        if prompt.count(gap) != 1:
            return None
        return _with_fills(prompt.replace(gap, _TOKEN.format(0)), [answer.strip()])
    if kind == "cloze":
        found = _cloze_fills(prompt, answer)
        if found is None:
            return None
        text, fills = found
        return _with_fills(text, fills)
    return None


def _cloze_fills(prompt: str, answer: str) -> tuple[str, list[str]] | None:
    """The back with each filled gap replaced by a token, and the fills (Markdown), in order."""
    out: list[str] = []
    fills: list[str] = []
    i = j = 0
    while i < len(prompt) or j < len(answer):
        if i < len(prompt) and j < len(answer) and prompt[i] == answer[j]:
            out.append(answer[j])
            i, j = i + 1, j + 1
            continue
        # A gap: "[...]" or "[hint]" on the front, whitespace? "**fill**" whitespace? behind.
        close = prompt.find("]", i)
        if not prompt.startswith("[", i) or close < 0:
            return None
        start = j
        while start < len(answer) and answer[start] in " \t\n":
            start += 1
        if not answer.startswith("**", start):
            return None
        following = prompt[close + 1:]
        end = _closing(answer, start + 2, following.split("[", 1)[0])
        if end < 0:
            return None
        out.append(answer[j:start] + _TOKEN.format(len(fills)))
        fills.append(answer[start + 2:end])
        i, j = close + 1, end + 2
        while j < len(answer) and answer[j] in " \t\n" and (
                i >= len(prompt) or prompt[i] != answer[j]):
            out.append(answer[j])
            j += 1
    return ("".join(out), fills) if fills else None


def _closing(answer: str, after: int, following: str) -> int:
    """Where the bold span opened before ``after`` closes: the first "**" that the front's text
    up to its next gap (``following``) follows, past any whitespace."""
    end = answer.find("**", after)
    while end >= 0:
        rest = answer[end + 2:]
        if rest.startswith(following) or rest.lstrip(" \t\n").startswith(
                following.lstrip(" \t\n")):
            return end
        end = answer.find("**", end + 1)
    return -1


def _with_fills(text: str, fills: list[str]) -> str | None:
    rendered = render_markdown(text)
    for number, fill in enumerate(fills):
        token = _TOKEN.format(number)
        if rendered.count(token) != 1:
            return None
        inline = render_markdown(fill).strip()
        if inline.startswith("<p>") and inline.endswith("</p>") and inline.count("<p>") == 1:
            inline = inline[3:-4]
        else:  # a fill that is more than a line of text: shown as text
            import html

            inline = html.escape(fill)
        rendered = rendered.replace(
            token, f'<span style="color:{CLOZE_COLOUR}; font-weight:bold">{inline}</span>')
    return rendered
