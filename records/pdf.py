"""Rendering HTML to PDF with WeasyPrint, fetching nothing but our own static files and `data:` URLs.

A report holds case data about children, so its renderer must not be a way to read the server's files (`file://`)
or to reach the network: every other URL is refused, whatever a template or a piece of recorded text contains.
PDFs are tagged and titled for screen readers (WeasyPrint's PDF/UA-1 variant).
"""

from django.contrib.staticfiles import finders

# Templates under templates/pdf/ name static files relative to this base: `<link href="css/pdf.css">`.
STATIC_BASE = "https://safeguard.invalid/static/"


def weasyprint_available():
    """Whether WeasyPrint and its system libraries (Pango) can be loaded; the reason when they cannot."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:  # OSError: Pango or its friends missing from the system
        return False, str(error).splitlines()[0]
    return True, ""


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves `data:` URLs and files found by Django's static finders; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_BASE):
                path = finders.find(url.removeprefix(STATIC_BASE).split("?")[0].split("#")[0])
                if path:
                    with open(path, "rb") as file:
                        return URLFetcherResponse(url, file.read(), {"Content-Type": _content_type(path)})
            raise ValueError(f"Reports may only use their own static files and data: URLs, not {url[:100]!r}")

    return StaticOnlyFetcher


def _content_type(path):
    return {"css": "text/css", "svg": "image/svg+xml", "woff2": "font/woff2", "ttf": "font/ttf"}.get(
        path.rsplit(".", 1)[-1], "application/octet-stream"
    )


def url_fetcher():
    """The fetcher every report renders with."""
    return _fetcher_class()()


def render_pdf(html):
    """The PDF of `html` (a whole document with a <title> and lang) and its number of pages."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=STATIC_BASE, url_fetcher=url_fetcher()).render()
    return document.write_pdf(pdf_variant="pdf/ua-1"), len(document.pages)
