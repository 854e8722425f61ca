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


def turned_away(access: Access) -> Any | None:
    """What someone this access does not admit gets (sign-in page, or 403), or None to let them in. Kept out of the
    decorator so that the mutation run (`make mutation`) can reach it: it leaves decorated functions alone."""
    if access.public:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not access.allows(current_user.roles):
        abort(403)
    return None


def _declare(access: Access) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            refused = turned_away(access)
            return view(*args, **kwargs) if refused is None else refused

        guarded.access = access  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


public = _declare(Access(public=True))
signed_in = _declare(Access())


def roles(*allowed: Role) -> Callable[[F], F]:
    return _declare(Access(roles=frozenset(allowed)))


def access_of(view: Callable[..., Any]) -> Access | None:
    return getattr(view, "access", None)
