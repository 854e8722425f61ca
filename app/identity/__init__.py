"""How a person comes to have an account and signs in to it beyond a password (PRODUCT §9): single sign-on over
OpenID Connect per organisation, bulk import from a CSV file, and SCIM provisioning. Core: it knows no domain
package."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.identity import (
        import_views,  # noqa: F401  (its routes join the blueprint)
        models,  # noqa: F401  (the tables, for create_all and the migrations' check)
        scim_views,  # noqa: F401  (and these)
    )
    from app.identity.operations import SignInButtons, forget_buttons_after_commit
    from app.identity.views import bp

    app.register_blueprint(bp)
    app.extensions["open360_sign_in_buttons"] = app.jinja_env.globals["sso_sign_in_buttons"] = SignInButtons()
    forget_buttons_after_commit()
