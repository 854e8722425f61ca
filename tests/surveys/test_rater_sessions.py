"""How long a rater's way in lasts, and what ends it (PRODUCT §3.5), through `surveys.links` with the time given:
a link is swapped for a session that lapses two hours after the rater last saved, and ending a rater's links ends
theirs only."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app import db as unit
from app.extensions import db
from app.timeutil import utcnow
from surveys import links, tokens
from surveys.models import Cycle, InvitationStatus, RaterSession
from tests.fixtures.rounds import link_token

TWO_HOURS = timedelta(hours=2)
MOMENT = timedelta(seconds=1)


def _now() -> datetime:
    return utcnow().replace(microsecond=0)


def test_a_session_lapses_two_hours_after_it_began_and_not_a_moment_before(open_round: Cycle) -> None:
    invitation = open_round.invitations[1]
    began = _now()
    secret = links.start_session(invitation, began)
    unit.commit()
    found = links.visit(secret, began + TWO_HOURS - MOMENT)
    assert found is not None and found.invitation_id == invitation.id
    assert links.visit(secret, began + TWO_HOURS) is None
    assert links.visit(secret, began + 10 * TWO_HOURS) is None


def test_each_save_gives_the_session_another_two_hours(open_round: Cycle) -> None:
    invitation = open_round.invitations[1]
    began = _now()
    secret = links.start_session(invitation, began)
    unit.commit()
    found = links.visit(secret, began + timedelta(minutes=90))
    assert found is not None
    links.renew(found, began + timedelta(minutes=90))
    unit.commit()
    assert links.visit(secret, began + timedelta(minutes=90) + TWO_HOURS - MOMENT) is not None
    assert links.visit(secret, began + timedelta(minutes=90) + TWO_HOURS) is None


def test_lapsed_sessions_are_deleted_and_live_ones_kept(open_round: Cycle) -> None:
    began = _now()
    links.start_session(open_round.invitations[1], began)
    links.start_session(open_round.invitations[2], began + timedelta(minutes=30))
    unit.commit()
    assert links.forget_expired_sessions(began + TWO_HOURS - MOMENT) == 0
    assert links.forget_expired_sessions(began + TWO_HOURS) == 1
    unit.commit()
    left = db.session.scalars(sa.select(RaterSession)).all()
    assert [s.invitation_id for s in left] == [open_round.invitations[2].id]


def test_a_session_secret_is_stored_only_as_its_hash_and_opens_only_its_own_rater(open_round: Cycle) -> None:
    pat, pip = open_round.invitations[1], open_round.invitations[2]
    now = _now()
    pats, pips = links.start_session(pat, now), links.start_session(pip, now)
    unit.commit()
    assert pats != pips and tokens.looks_like_token(pats)
    stored = set(db.session.scalars(sa.select(RaterSession.secret_hash)))
    assert stored == {tokens.token_hash(pats), tokens.token_hash(pips)} and pats not in stored
    assert links.visit(pats, now).invitation_id == pat.id  # type: ignore[union-attr]
    assert links.visit(pips, now).invitation_id == pip.id  # type: ignore[union-attr]
    for wrong in (None, "", tokens.new_token(), pats[:-1], pats + "A"):
        assert links.visit(wrong, now) is None


def test_a_link_opens_its_own_rater_while_they_may_still_answer(open_round: Cycle) -> None:
    pat, pip = open_round.invitations[1], open_round.invitations[2]
    now = _now()
    pats, pips = link_token(pat), link_token(pip)
    assert links.by_token(pats, now).id == pat.id  # type: ignore[union-attr]
    assert links.by_token(pips, now).id == pip.id  # type: ignore[union-attr]
    assert links.by_token(tokens.new_token(), now) is None
    assert links.by_token(pats[:-1], now) is None
    # The last day of the round still opens it; the day after does not.
    last_day = datetime.combine(open_round.close_on, datetime.max.time()).replace(microsecond=0)
    assert links.by_token(pats, last_day) is not None
    assert links.by_token(pats, last_day + MOMENT) is None
    # Once Pat has answered, neither the link nor a session opens the survey again; Pip's still works.
    secret = links.start_session(pat, now)
    pat.status = InvitationStatus.DONE
    unit.commit()
    assert links.by_token(pats, now) is None and links.visit(secret, now) is None
    assert links.by_token(pips, now) is not None


def test_ending_a_raters_links_ends_their_sessions_too_and_nobody_elses(open_round: Cycle) -> None:
    pat, pip = open_round.invitations[1], open_round.invitations[2]
    now = _now()
    pats_link, pips_link = link_token(pat), link_token(pip)
    pats_session, pips_session = links.start_session(pat, now), links.start_session(pip, now)
    unit.commit()
    links.end_all([])  # nobody's: nothing changes
    links.end_all([pat.id])
    unit.commit()
    assert links.by_token(pats_link, now) is None and links.visit(pats_session, now) is None
    assert links.by_token(pips_link, now) is not None and links.visit(pips_session, now) is not None


def test_a_withdrawn_rater_is_refused_even_by_a_link_or_session_that_outlived_the_withdrawal(
        open_round: Cycle) -> None:
    # Withdrawing deletes every token and session of the rater (links.end_all); should one ever survive (a
    # backup restored over the withdrawal, a future code path that forgets), the withdrawal itself still refuses.
    pat, pip = open_round.invitations[1], open_round.invitations[2]
    now = _now()
    pats_link, pats_session = link_token(pat), links.start_session(pat, now)
    pips_link, pips_session = link_token(pip), links.start_session(pip, now)
    pat.withdrawn_at = now
    unit.commit()
    assert links.by_token(pats_link, now) is None and links.visit(pats_session, now) is None
    assert links.by_token(pips_link, now) is not None and links.visit(pips_session, now) is not None
