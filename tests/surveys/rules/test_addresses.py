"""Raters are real colleagues (PRODUCT §2.4): the owner's own mailbox in any spelling, addresses outside the
organisation and second spellings of one mailbox are refused, each with a message naming its line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.addresses import normalised_email
from surveys.rater_list import check_rater, parse_rater_list
from surveys.rules.addresses import RaterPolicy, address_problem, mailbox_key

OWNER = "olivia.owner@trust.example"
TRUST = RaterPolicy(OWNER, ("trust.example",), allows_external=False)


def test_spellings_of_one_mailbox_share_a_key() -> None:
    assert mailbox_key("Olivia.Owner+peer1@Trust.Example") == "olivia.owner@trust.example"
    assert mailbox_key("o.l.i.v.i.a+x@googlemail.com") == mailbox_key("olivia@gmail.com") == "olivia@gmail.com"
    # Dots count where the domain does not ignore them.
    assert mailbox_key("o.livia@trust.example") != mailbox_key("olivia@trust.example")


def test_the_sock_puppet_round_is_refused_at_the_rater_list() -> None:
    """The attack in issue 12: the owner's own mailbox twice as Peers beside one real peer, and an outside
    address of their own."""
    pasted = "\n".join([
        "Real Peer, rita.peer@trust.example, Peer",
        "Puppet One, olivia.owner+peer1@trust.example, Peer",
        "Puppet Two, Olivia.Owner@TRUST.example, Peer",
        "Puppet Three, olivia.owner.home@gmail.com, Peer",
    ])
    parsed = parse_rater_list(pasted, policy=TRUST)
    assert [r.email for r in parsed.raters] == ["rita.peer@trust.example"]
    messages = [p.message for p in parsed.problems]
    assert messages[0] == ("Line 2: olivia.owner+peer1@trust.example reaches your own mailbox – you cannot invite "
                           "yourself; your own ratings are your self-assessment")
    assert messages[1] == "Line 3: you cannot invite yourself – your own ratings are your self-assessment"
    assert messages[2] == ("Line 4: olivia.owner.home@gmail.com is not an address in your organisation – use an "
                           "address ending @trust.example")


def test_duplicates_in_another_spelling_name_the_line_and_the_first_spelling() -> None:
    parsed = parse_rater_list("Sam, sam@trust.example, Peer\nSam again, SAM+work@trust.example, Peer",
                              existing_emails=["jo@trust.example"], policy=TRUST)
    assert [p.message for p in parsed.problems] == [
        "Line 2: sam+work@trust.example appears more than once in what you pasted (as sam@trust.example)"]
    listed = parse_rater_list("Jo, jo+360@trust.example, Peer", existing_emails=["jo@trust.example"], policy=TRUST)
    assert [p.message for p in listed.problems] == [
        "Line 1: jo+360@trust.example is already on your list as jo@trust.example"]


def test_external_raters_where_the_organisation_allows_them_but_never_the_owner() -> None:
    open_door = RaterPolicy("olivia@gmail.com", ("trust.example",), allows_external=True)
    assert address_problem("friend@elsewhere.example", open_door) is None
    assert address_problem("o.l.ivia+x@googlemail.com", open_door) is not None
    # A subdomain is not its parent domain (whoever runs it may not be the organisation); nor is a look-alike.
    assert address_problem("ann@trust.example", TRUST) is None
    assert address_problem("ann@mail.trust.example", TRUST) is not None
    assert address_problem("ann@nottrust.example", TRUST) is not None


def test_an_organisation_that_has_not_said_who_its_colleagues_are_lets_nobody_be_invited() -> None:
    unset = RaterPolicy(OWNER, (), allows_external=False)
    assert not unset.is_set_up
    assert "has not yet listed its email domains" in (address_problem("ann@trust.example", unset) or "")
    assert RaterPolicy(OWNER, (), allows_external=True).is_set_up and TRUST.is_set_up


@pytest.mark.parametrize("address", ["jo%evil.example@trust.example", "evil.example!jo@trust.example",
                                     '"jo@evil.example"@trust.example', "jo@[192.0.2.1]", "jo@[IPv6:2001:db8::1]"])
def test_route_tricks_are_not_addresses(address: str) -> None:
    assert normalised_email(address) is None
    refused = check_rater("Jo", address, "peer", policy=TRUST)
    assert isinstance(refused, str) and "is not a valid email address" in refused


def test_a_single_rater_form_gives_the_same_refusal() -> None:
    assert check_rater("Puppet", "olivia.owner+x@trust.example", "peer", policy=TRUST) == (
        "olivia.owner+x@trust.example reaches your own mailbox – you cannot invite yourself; your own ratings are "
        "your self-assessment")
    assert check_rater("Me", OWNER, "peer", policy=TRUST).startswith("You cannot invite yourself")


local_parts = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z0-9]{1,6})?", fullmatch=True)
tags = st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)


@given(local_parts, tags, st.sampled_from(["trust.example", "gmail.com", "googlemail.com", "nhs.net"]),
       st.lists(st.booleans(), min_size=30, max_size=30))
def test_the_owner_is_refused_in_any_case_and_with_any_tag(local: str, tag: str, domain: str,
                                                           upper: list[bool]) -> None:
    owner = f"{local}@{domain}"
    spelled = "".join(c.upper() if u else c for c, u in zip(f"{local}+{tag}@{domain}", upper + [False] * 99,
                                                            strict=False))
    policy = RaterPolicy(owner, (), allows_external=True)
    parsed = parse_rater_list(f"Puppet, {spelled}, Peer", policy=policy)
    assert not parsed.raters and "you cannot invite yourself" in parsed.problems[0].message


@given(local_parts, st.sampled_from(["gmail.com", "googlemail.com"]), st.data())
def test_dots_are_ignored_only_where_the_mail_service_ignores_them(local: str, domain: str, data: st.DataObject
                                                                   ) -> None:
    plain = local.replace(".", "")
    dotted = data.draw(st.sampled_from([".".join(plain), plain[:1] + "." + plain[1:] if len(plain) > 1 else plain]))
    assert mailbox_key(f"{dotted}@{domain}") == mailbox_key(f"{plain}@gmail.com")
    if "." in dotted:
        assert mailbox_key(f"{dotted}@trust.example") != mailbox_key(f"{plain}@trust.example")


@given(st.lists(st.tuples(local_parts, st.sampled_from(["", "+a", "+b2"])), min_size=1, max_size=12))
def test_each_mailbox_is_added_once_however_often_it_is_pasted(entries: list[tuple[str, str]]) -> None:
    text = "\n".join(f"Person {n}, {local}{tag}@trust.example, Peer" for n, (local, tag) in enumerate(entries))
    parsed = parse_rater_list(text, policy=RaterPolicy(None, ("trust.example",), allows_external=False))
    keys = [mailbox_key(r.email) for r in parsed.raters]
    assert len(keys) == len(set(keys)) == len({local for local, _ in entries})
    assert len(parsed.raters) + len(parsed.problems) == len(entries)
    assert all(p.message.startswith(f"Line {p.line_number}: ") for p in parsed.problems)


@pytest.mark.parametrize("look_alike", [
    "\u043elivia@trust.example",  # Cyrillic о
    "\uff4flivia@trust.example",  # fullwidth ｏ
    "olivia@tr\u0443st.example",  # Cyrillic у in the domain
])
def test_a_look_alike_spelling_of_an_address_is_refused(look_alike: str) -> None:
    """A letter from another script that looks Latin would make a second mailbox that reads as the first."""
    assert normalised_email("olivia@trust.example") == "olivia@trust.example"
    assert normalised_email(look_alike) is None
