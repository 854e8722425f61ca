"""Every route declares who may use it. A test walks the URL map and fails on any route that does not.

`@public` — anyone (sign-in page, rater links, health check).
`@signed_in` — any signed-in person.
`@roles(Role.OWNER, …)` — signed in with at least one of these roles; anyone else gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from app.extensions import login_manager
from app.models import Role

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    public: bool = False
    roles: frozenset[Role] | None = None  # None with public False: any signed-in person

    def allows(self, user_roles: frozenset[Role] | None) -> bool:
        """user_roles is None for an anonymous visitor."""
        if self.public:
            return True
        if user_roles is None:
            return False
        return self.roles is None or bool(self.roles & user_roles)


def _declare(access: Access) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not access.public:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not access.allows(current_user.roles):
                    abort(403)
            return view(*args, **kwargs)

        guarded.access = access  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


public = _declare(Access(public=True))
signed_in = _declare(Access())


def roles(*allowed: Role) -> Callable[[F], F]:
    return _declare(Access(roles=frozenset(allowed)))


def access_of(view: Callable[..., Any]) -> Access | None:
    return getattr(view, "access", None)
