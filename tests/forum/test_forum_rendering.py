"""The forum's Markdown subset, sanitised with nh3: what people may write and what reaches
the page."""

import pytest

from forum.rendering import render

REL = 'rel="nofollow noopener ugc"'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**tebal** dan *miring*", "<p><strong>tebal</strong> dan <em>miring</em></p>"),
        ("baris satu\nbaris dua", "<p>baris satu<br>\nbaris dua</p>"),
        ("- satu\n- dua", "<ul>\n<li>satu</li>\n<li>dua</li>\n</ul>"),
        ("1. satu\n2. dua", "<ol>\n<li>satu</li>\n<li>dua</li>\n</ol>"),
        ("> kutipan", "<blockquote>\n<p>kutipan</p>\n</blockquote>"),
        ("`kode`", "<p><code>kode</code></p>"),
        ("    blok kode", "<pre><code>blok kode\n</code></pre>"),
        (
            "[panduan](https://kemenpppa.go.id/p)",
            f'<p><a href="https://kemenpppa.go.id/p" {REL}>panduan</a></p>',
        ),
        (
            "<http://example.org>",
            f'<p><a href="http://example.org" {REL}>http://example.org</a></p>',
        ),
    ],
)
def test_the_allowed_subset(text, html):
    assert render(text, links=True) == html


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<b>tebal</b>", "<p>&lt;b&gt;tebal&lt;/b&gt;</p>"),  # raw HTML is shown as typed
        ("# Judul", "<p># Judul</p>"),  # no headings
        ("---", "<p>---</p>"),
        ("![foto](https://example.org/a.jpg)", "<p>![foto](https://example.org/a.jpg)</p>"),
        ("surat@example.org", "<p>surat@example.org</p>"),
        ("<surat@example.org>", "<p>&lt;surat@example.org&gt;</p>"),
    ],
)
def test_what_is_not_in_the_subset_stays_text(text, shown):
    assert render(text, links=True) == shown


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "/relatif", "//evil.example/x", "ftp://x.org/", "mailto:a@b.c"],
)
def test_only_http_and_https_links(target):
    html = render(f"[klik]({target})", links=True)
    assert "href" not in html and "klik" in html


def test_new_accounts_links_are_plain_text():
    assert render("[panduan](https://a.id)", links=False) == "<p>[panduan](https://a.id)</p>"
    assert render("<https://a.id>", links=False) == "<p>&lt;https://a.id&gt;</p>"


def test_link_definitions_never_leak_from_one_post_to_the_next():
    render("[x][1]\n\n[1]: https://example.org/dulu", links=True)
    assert "href" not in render("[x][1]", links=True)


def test_nul_and_huge_text_are_handled():
    assert render("a\x00b", links=True) == "<p>ab</p>"
    assert len(render("kata " * 10_000, links=True)) < 25_000
    assert render("", links=True) == ""
