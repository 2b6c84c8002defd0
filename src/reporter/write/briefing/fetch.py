"""The only way WeasyPrint may fetch anything while rendering a briefing.

WeasyPrint follows every URL in the HTML and CSS (images, stylesheets, fonts, SVG
``<use>``, ``<link rel="attachment">``) with its default fetcher, which reads any local
file and any network address. Briefings are built from spreadsheet cells, so the fetcher
allows ``data:`` URLs and files inside the template asset folder, and nothing else: no
network, no redirects, no symlink escaping the folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from reporter.errors import TemplateError

_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
}
MAX_ASSET_BYTES = 20 * 1024 * 1024


class AssetFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types
    """Serve ``data:`` URLs and files under the ``assets`` folders; refuse and record the rest.

    ``refused`` lists every URL turned away, so tests and the run log can show that a
    hostile ``file:///etc/passwd`` was never read. A missing file *inside* an asset folder
    (a template's logo) stops the render: a briefing without its branding is not sent.
    """

    def __init__(self, assets: Sequence[Path] = (), timeout: float = 5) -> None:
        super().__init__(timeout=timeout, allowed_protocols={"data"}, allow_redirects=False)
        self.assets = tuple(Path(a).resolve() for a in assets)
        self.requested: list[str] = []
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return the resource for ``url`` or raise ``ValueError`` (WeasyPrint logs it)."""
        self.requested.append(url[:200])
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            self.served.append(url[:40])
            return super().fetch(url, headers)
        path = self._asset(url) if scheme == "file" else None
        if path is None:
            self.refused.append(url)
            raise ValueError(f"briefing may not fetch {url[:200]!r}")
        if not path.is_file() or path.stat().st_size > MAX_ASSET_BYTES:
            raise FatalURLFetchingError(
                f"briefing asset {path} is missing, not a file, or over {MAX_ASSET_BYTES} bytes"
            )
        self.served.append(url)
        return _file_response(url, path)

    def _asset(self, url: str) -> Path | None:
        """The path ``url`` names, if it resolves (symlinks followed) inside an asset folder."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, ValueError):
            return None
        return path if any(path.is_relative_to(root) for root in self.assets) else None


def _file_response(url: str, path: Path) -> URLFetcherResponse:
    mime = _TYPES.get(path.suffix.lower(), "application/octet-stream")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise TemplateError(f"briefing asset {path} cannot be read: {exc.strerror}") from None
    return URLFetcherResponse(url, body, {"Content-Type": mime})
