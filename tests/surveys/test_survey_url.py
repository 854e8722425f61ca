"""A survey page's address (surveys/views `survey_url`), built once per address root: url_for's own answer."""

from __future__ import annotations

from flask import Flask, url_for

from surveys.views import survey_url


def test_each_address_is_url_for_s_under_each_root(app: Flask) -> None:
    asked = [("rater_area", {"number": 2}), ("rater_area", {"number": 3}), ("rater_check", {}),
             ("rater_comments", {"change": "q-strengths"}), ("self_area", {"number": 2})]
    for root in ("", "/open360", "/other"):
        for _ in range(2):  # built, then kept
            with app.test_request_context("/feedback/check", environ_overrides={"SCRIPT_NAME": root}):
                for endpoint, values in asked:
                    assert survey_url(endpoint, **values) == url_for(f"surveys.{endpoint}", **values)
                assert survey_url("rater_area", number=2).startswith(f"{root}/feedback/area/2")


def test_a_value_that_is_not_plain_data_and_no_request_go_to_url_for(app: Flask) -> None:
    with app.test_request_context("/"):
        assert survey_url("rater_comments", change=["q-x"]) == url_for("surveys.rater_comments", change=["q-x"])
    app.config["SERVER_NAME"] = "open360.example"
    with app.app_context():  # the app's context only (a job's document)
        assert survey_url("rater_check") == url_for("surveys.rater_check") == "http://open360.example/feedback/check"


def test_a_full_address_is_the_host_s_that_asked(app: Flask) -> None:
    """An address with its host (`_external`) follows the request's host, which the cache's key does not hold."""
    for host in ("a.example", "b.example"):
        with app.test_request_context("/feedback/check", base_url=f"https://{host}"):
            assert survey_url("rater_check", _external=True) == f"https://{host}/feedback/check"
