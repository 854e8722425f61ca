"""Static files under fingerprinted addresses with a year-long cache, and every text response compressed."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
from flask.testing import FlaskClient

YEAR = 365 * 24 * 3600


def _linked(client: FlaskClient) -> list[str]:
    page = client.get("/sign-in").get_data(as_text=True)
    return re.findall(r'(?:href|from) ?=? ?"(/(?:nhsuk|static)-[^"]+)"', page)


def test_pages_link_fingerprinted_assets_that_are_cached_for_a_year(client: FlaskClient) -> None:
    linked = _linked(client)
    assert {Path(u).name for u in linked} >= {"nhsuk-frontend.min.css", "open360.css", "nhsuk-frontend.min.js"}
    for url in linked:
        with client.get(url) as response:
            assert response.status_code == 200, url
            assert response.cache_control.max_age == YEAR and response.cache_control.immutable, url
    ours = next(u for u in linked if u.endswith("open360.css"))
    digest = hashlib.sha256((Path(client.application.static_folder or "") / "open360.css").read_bytes()).hexdigest()
    assert ours == f"/static-{digest[:12]}/open360.css"  # an edited file gets a new address


def test_an_old_fingerprint_still_serves_but_only_briefly(client: FlaskClient) -> None:
    for url in ("/static-0123456789ab/open360.css", "/nhsuk-0.0.1/nhsuk-frontend.min.css"):
        with client.get(url) as response:
            assert response.status_code == 200 and response.cache_control.max_age == 3600
            assert not response.cache_control.immutable
    assert client.get("/static-0123456789ab/missing.css").status_code == 404


def test_text_responses_are_compressed_for_browsers_that_ask(client: FlaskClient) -> None:
    plain = client.get("/sign-in").get_data()
    as_br = client.get("/sign-in", headers={"Accept-Encoding": "br"})
    as_gzip = client.get("/sign-in", headers={"Accept-Encoding": "gzip"})
    assert as_br.headers["Content-Encoding"] == "br" and as_gzip.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in as_br.headers["Vary"]
    # The CSRF token and nonce differ per response; everything else is the same page.
    same = re.compile(rb'(value|nonce)="[^"]+"')
    assert same.sub(b"", brotli.decompress(as_br.get_data())) == same.sub(b"", plain)
    assert same.sub(b"", gzip.decompress(as_gzip.get_data())) == same.sub(b"", plain)
    assert len(as_br.get_data()) < len(plain) / 2
    css = next(u for u in _linked(client) if u.endswith(".css"))
    with client.get(css, headers={"Accept-Encoding": "br"}) as response:
        assert response.headers["Content-Encoding"] == "br"
        assert len(brotli.decompress(response.get_data())) > len(response.get_data())


def test_pages_are_compressed_at_a_quality_made_for_serving(client: FlaskClient) -> None:
    # Quality 11 (brotli's own default) took 54 ms for one rater page: a page must never wait on its compression.
    app = client.application
    assert app.config["COMPRESS_BR_LEVEL"] <= 5 and app.config["COMPRESS_LEVEL"] <= 6
    page = client.get("/sign-in", headers={"Accept-Encoding": "br"}).get_data()
    assert brotli.decompress(page).lstrip().startswith(b"<!DOCTYPE html>")
