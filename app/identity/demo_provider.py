"""Development only: the OpenID provider `make run` starts inside `flask serve` (PyPI oidc-provider-mock), so the demo
organisation signs in with single sign-on on one machine, with no internet and nothing set up by hand. Like the mail
outbox, it is never started in production."""

from __future__ import annotations

import warnings
from types import ModuleType


def import_mock() -> ModuleType:
    # oidc-provider-mock 0.3 still imports authlib.jose, which Authlib now marks deprecated (it moved to joserfc).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import oidc_provider_mock
    return oidc_provider_mock
