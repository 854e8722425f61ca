"""The surveys blueprint: the owner's round, the rater survey and the organisation's own statements."""

from __future__ import annotations

from flask import Blueprint, current_app, has_request_context, request, url_for

bp = Blueprint("surveys", __name__, template_folder="../templates")



def survey_url(endpoint: str, **values: object) -> str:
    """The address of a page of the self-assessment or the rater survey, by its endpoint's name in this blueprint.
    The survey templates link with it, so that an administrator's preview (surveys/questionnaire_compare.py) can
    render the same templates with its own addresses in their place.

    Each address is built by `url_for` once per address root and kept with the memoized components
    (app/rendering.py): a path inside this site follows from the endpoint, its values and the root alone (the
    blueprint adds no defaults), and the check page asks for a dozen. The values are page numbers and questionnaire
    keys, never anything someone typed."""
    # A document rendered by a job (url_for decides from the app's settings), or a full address (its host and scheme
    # are the request's, which the key does not hold): url_for each time.
    if not has_request_context() or "_external" in values or "_scheme" in values:
        return url_for(f"surveys.{endpoint}", **values)
    try:
        key = ("survey url", request.script_root, endpoint, tuple(sorted(values.items())))
        hash(key)
    except TypeError:  # a value that is not plain data
        return url_for(f"surveys.{endpoint}", **values)
    components = current_app.jinja_env.globals["memoized_component"]
    return components.cached(key, lambda: url_for(f"surveys.{endpoint}", **values))  # type: ignore[no-any-return]


@bp.context_processor
def survey_helpers() -> dict[str, object]:
    return _HELPERS  # built once: the same functions for every page (the context copies them in)


from surveys.answers import field_name  # noqa: E402
from surveys.area_form import area_form  # noqa: E402
from surveys.check_answers import check_list  # noqa: E402
from surveys.cycle import state_phrase  # noqa: E402
from surveys.questionnaire import NOT_ABLE_TO_SAY  # noqa: E402
from surveys.statement_radios import statement_radios  # noqa: E402

_HELPERS: dict[str, object] = {"field_name": field_name, "NOT_ABLE_TO_SAY": NOT_ABLE_TO_SAY,
                               "state_phrase": state_phrase, "statement_radios": statement_radios,
                               "survey_url": survey_url, "check_list": check_list,
                               "area_form": area_form}


from surveys.views import admin, confirmation, owner, rater  # noqa: E402, F401  (routes attach to bp)
