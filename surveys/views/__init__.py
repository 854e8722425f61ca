"""The surveys blueprint: the owner's round, the rater survey and the organisation's own statements."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("surveys", __name__, template_folder="../templates")



@bp.context_processor
def survey_helpers() -> dict[str, object]:
    from surveys.answers import field_name
    from surveys.cycle import state_phrase
    from surveys.questionnaire import NOT_ABLE_TO_SAY
    from surveys.statement_radios import statement_radios

    return {"field_name": field_name, "NOT_ABLE_TO_SAY": NOT_ABLE_TO_SAY, "state_phrase": state_phrase,
            "statement_radios": statement_radios}


from surveys.views import admin, confirmation, owner, rater  # noqa: E402, F401  (routes attach to bp)
