"""Deck Markdown to HTML: hostile text renders inert, ordinary Markdown renders as Markdown."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.decks.render import is_web_link, render_markdown
from app.export.render import markdown_renderer

# What sanitised HTML may hold: the tags CommonMark (with tables and strikethrough) writes,
# each with only the attributes it needs. No <img>, <script>, <iframe>, <style>, no on*=.
_ALLOWED = {
    "p": set(), "em": set(), "strong": set(), "code": {"class"}, "pre": set(),
    "a": {"href", "title"},
    "ul": set(), "ol": {"start"}, "li": set(), "blockquote": set(), "hr": set(), "br": set(),
    "h1": set(), "h2": set(), "h3": set(), "h4": set(), "h5": set(), "h6": set(),
    "table": set(), "thead": set(), "tbody": set(), "tr": set(), "th": {"style", "align"},
    "td": {"style", "align"}, "s": set(), "del": set(),
}


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str) -> _Tags:
    """No tag or attribute outside the allow-list; every link an http(s) URL with a host."""
    parsed = parse(html)
    assert not parsed.comments, html
    for tag, attrs in parsed.tags:
        assert tag in _ALLOWED, (tag, html)
        assert set(attrs) <= _ALLOWED[tag], (tag, attrs, html)
        if tag == "a":
            assert is_web_link(str(attrs["href"])), (attrs, html)
        if "style" in attrs:
            assert str(attrs["style"]).startswith("text-align:"), html
    return parsed


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "![x](http://evil.example/x.png)",
    "![x](file:///etc/passwd)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "[a](javascript:alert(1))",
    "[a](file:///etc/passwd)",
    "[a](data:text/html,<script>alert(1)</script>)",
    "[a](JaVaScRiPt:alert(1))",
    "[a](  javascript:alert(1))",
    "[a](<javascript:alert(1)>)",
    "[a](&#106;avascript:alert(1))",
    "[a](java&#x09;script:alert(1))",
    "[a](vbscript:msgbox(1))",
    "[a](../../etc/passwd)",
    "[a](//evil.example/x)",
    "[a](mailto:someone@example.org)",
    "[a]() and ![b]() and [c](<>)",
    "<file:///etc/passwd>",
    "<javascript:alert(1)>",
    "<someone@example.org>",
    "[a][r]\n\n[r]: javascript:alert(1)",
    "![a][r]\n\n[r]: file:///etc/passwd",
    "<!-- a comment -->",
    '<iframe src="http://evil.example"></iframe>',
    "<style>body { display: none }</style>",
    '<a href="javascript:alert(1)">a</a>',
    '<a href="http://ok.example" onclick="alert(1)">a</a>',
    '<svg onload="alert(1)">',
    "Text\n\n<script>\nalert(1)\n</script>\n\nmore",
    "- item <img src=x>\n- ![y](https://ok.example/y.png)",
    "| a | b |\n|---|---|\n| <script> | ![i](file:///x) |",
    '[a](https://ok.example "<img src=file:///x.png>")',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_inert(text: str) -> None:
    assert_inert(render_markdown(text))


@pytest.mark.parametrize("text", HOSTILE)
def test_the_anki_export_renders_hostile_text_inert(text: str) -> None:
    # The export has its own cmark fast path: it must follow the same policy.
    assert_inert(markdown_renderer()(text))


def test_raw_html_is_shown_as_text_not_run() -> None:
    parsed = assert_inert(render_markdown("Before <script>alert(1)</script> after"))
    assert "".join(parsed.text).strip() == "Before <script>alert(1)</script> after"
    parsed = assert_inert(render_markdown('<img src="x.png" onerror="alert(1)">'))
    assert "".join(parsed.text).strip() == '<img src="x.png" onerror="alert(1)">'


def test_a_link_that_is_not_to_the_web_stays_the_text_that_was_written() -> None:
    for text in ["[a](javascript:alert(1))", "[a](file:///etc/passwd)", "[a](relative/page)"]:
        parsed = assert_inert(render_markdown(text))
        assert parsed.tags == [("p", {})]
        assert "".join(parsed.text).strip() == text
    # The entity is decoded before the check, so it cannot smuggle a scheme past it.
    parsed = assert_inert(render_markdown("[a](&#106;avascript:alert(1))"))
    assert [t for t, _ in parsed.tags] == ["p"]


def test_web_links_stay_links() -> None:
    assert render_markdown("See [the docs](https://example.org/a?b=1&c=2).") == (
        '<p>See <a href="https://example.org/a?b=1&amp;c=2">the docs</a>.</p>\n')
    assert render_markdown("<http://example.org>") == (
        '<p><a href="http://example.org">http://example.org</a></p>\n')
    assert render_markdown("[a][r]\n\n[r]: HTTPS://example.org/x") == (
        '<p><a href="HTTPS://example.org/x">a</a></p>\n')


def test_images_become_links_to_them_never_img() -> None:
    assert render_markdown("![a chart](https://example.org/c.png)") == (
        '<p><a href="https://example.org/c.png">[image: a chart]</a></p>\n')
    assert render_markdown("![](https://example.org/c.png)") == (
        '<p><a href="https://example.org/c.png">[image]</a></p>\n')
    # Inside a link, an image is only its label: an <a> inside an <a> is invalid.
    assert render_markdown("[![logo *x*](https://example.org/l.png)](https://example.org)") == (
        '<p><a href="https://example.org">[image: logo x]</a></p>\n')
    # An image that is not on the web is not an image at all: the text as written.
    parsed = assert_inert(render_markdown("![x](file:///home/me/secret.png)"))
    assert "".join(parsed.text).strip() == "![x](file:///home/me/secret.png)"


@pytest.mark.parametrize(("text", "html"), [
    ("Plain *em* and **strong** and `code`.",
     "<p>Plain <em>em</em> and <strong>strong</strong> and <code>code</code>.</p>\n"),
    ("# Title\n\nBody", "<h1>Title</h1>\n<p>Body</p>\n"),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"),
    ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'),
    ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>\n"),
    ("```python\nx = 1 < 2\n```",
     '<pre><code class="language-python">x = 1 &lt; 2\n</code></pre>\n'),
    ("a\n\n---\n\nb", "<p>a</p>\n<hr />\n<p>b</p>\n"),
    # Two renderers, the same table (cmark for plain text, markdown-it where HTML could be).
    ("| a | b |\n|---|--:|\n| 1 | 2 |",
     '<table>\n<thead>\n<tr>\n<th>a</th>\n<th align="right">b</th>\n</tr>\n</thead>\n'
     '<tbody>\n<tr>\n<td>1</td>\n<td align="right">2</td>\n</tr>\n</tbody>\n</table>\n'),
    ("| a | <b> |\n|---|--:|\n| 1 | 2 |",
     '<table>\n<thead>\n<tr>\n<th>a</th>\n<th style="text-align:right">&lt;b&gt;</th>\n'
     '</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td style="text-align:right">2</td>\n'
     '</tr>\n</tbody>\n</table>\n'),
    ("x < y and <s> tokens", "<p>x &lt; y and &lt;s&gt; tokens</p>\n"),
    ("~~gone~~", "<p><del>gone</del></p>\n"),
    ("~~gone~~ <", "<p><s>gone</s> &lt;</p>\n"),
])
def test_ordinary_markdown_renders_as_markdown(text: str, html: str) -> None:
    assert render_markdown(text) == html
    assert_inert(html)


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == render_markdown(" \n\t ") == ""


@pytest.mark.parametrize(("url", "ok"), [
    ("http://example.org", True), ("https://example.org/a?b#c", True),
    ("HTTPS://EXAMPLE.ORG", True), ("https://", False), ("http:example.org", False),
    ("//example.org", False), ("example.org", False), ("javascript:alert(1)", False),
    ("file:///etc/passwd", False), ("data:text/html,x", False), ("mailto:a@b.c", False),
    ("ftp://example.org", False), ("http://[::1", False), ("", False),
])
def test_only_absolute_web_urls_are_links(url: str, ok: bool) -> None:
    assert is_web_link(url) is ok


_FRAGMENTS = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<iframe src=", "<style>",
    "<a href=", "<!--", "-->", "<svg onload=", "![x](", "[a](", "](", "[r]: ", "[r]", "!", "[",
    "]", "(", ")", "<", ">", '"', "'", "javascript:", "JaVaScRiPt:", "vbscript:",
    "file:///etc/passwd", "data:text/html,", "data:image/png;base64,AA==", "http://ok.example",
    "https://ok.example/x.png", "//evil.example", "&#106;", "&#x3A;", "&colon;", "\\", "`",
    "*", "|", "- ", "1. ", "    ", "\t", " ", "\n", "\n\n", "%0a", "onerror=", "a",
]
_HOSTILE_TEXT = st.lists(st.sampled_from(_FRAGMENTS), max_size=16).map("".join)


_EXPORT_RENDER: Callable[[str], str] = markdown_renderer()


@settings(max_examples=1000, deadline=None)
@given(_HOSTILE_TEXT)
def test_no_text_renders_anything_but_inert_html(text: str) -> None:
    assert_inert(render_markdown(text))
    assert_inert(_EXPORT_RENDER(text))
