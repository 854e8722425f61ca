"""The NHS.UK stylesheet is served without the font it would fetch from another site, which the Content-Security-
Policy refuses (and the package does not ship): every page would otherwise log refused loads."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_the_stylesheet_asks_for_nothing_from_another_site(client: FlaskClient) -> None:
    response = client.get("/nhsuk/nhsuk-frontend.min.css")
    css = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert "@font-face" not in css and "assets.nhs.uk" not in css
    assert ".nhsuk-header" in css and "Frutiger W01" in css  # the rest is intact; text falls back to Arial
    assert response.cache_control.max_age == 3600
