"""Parsing the list of raters an owner pastes: what is kept, and what each problem tells the owner to fix."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.categories import Category
from surveys.rater_list import (
    MAX_LINES,
    MAX_NAME_LENGTH,
    LineProblem,
    LineShape,
    ParsedList,
    RaterEntry,
    check_rater,
    lines_to_fix,
    normalise_email,
    parse_category,
    parse_rater_list,
)

OWNER = "me@nhs.net"
GROUPS = "use Manager, Peer, Direct report or Other"


def messages(parsed: ParsedList) -> list[str]:
    return [p.message for p in parsed.problems]


# --- parse_category and normalise_email -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("manager", Category.MANAGER),
        ("Managers", Category.MANAGER),
        ("  Line Manager ", Category.MANAGER),
        ("line-manager", Category.MANAGER),
        ("PEER", Category.PEER),
        ("peers", Category.PEER),
        ("Colleague", Category.PEER),
        ("direct report", Category.DIRECT_REPORT),
        ("Direct Reports", Category.DIRECT_REPORT),
        ("direct_report", Category.DIRECT_REPORT),
        ("direct   report", Category.DIRECT_REPORT),
        ("report", Category.DIRECT_REPORT),
        ("Other", Category.OTHER),
        ("others", Category.OTHER),
    ],
)
def test_category_synonyms_are_understood_whatever_the_case(text: str, category: Category) -> None:
    assert parse_category(text) is category


@pytest.mark.parametrize("text", ["self", "Self", "boss", "", "   ", "peer group", "manager,"])
def test_self_and_unknown_words_are_not_rater_categories(text: str) -> None:
    assert parse_category(text) is None


def test_every_category_label_and_plural_round_trips() -> None:
    for category in (Category.MANAGER, Category.PEER, Category.DIRECT_REPORT, Category.OTHER):
        assert parse_category(category.label) is category
        assert parse_category(category.plural) is category
        assert parse_category(category.value) is category


def test_emails_are_normalised_to_lower_case() -> None:
    assert normalise_email("  Jo.Smith@NHS.net ") == "jo.smith@nhs.net"


def test_demo_style_addresses_are_accepted() -> None:
    """Every demo person has one; .test is reserved for testing (RFC 6761), so mail to it reaches nobody."""
    assert normalise_email("Pat.Peer@demo.open360.test") == "pat.peer@demo.open360.test"


@pytest.mark.parametrize("text", ["", "jo", "jo@", "@nhs.net", "jo@nhs", "jo smith@nhs.net", "jo@host.localhost",
                                  "jo@host.invalid"])
def test_invalid_emails_give_none(text: str) -> None:
    assert normalise_email(text) is None


# --- what is kept -------------------------------------------------------------------------------------------


def test_comma_separated_lines_become_raters_in_order() -> None:
    parsed = parse_rater_list("Jo Smith, Jo@NHS.net, Peer\nAli Khan,ali@nhs.net,manager\n")
    assert parsed == ParsedList(
        raters=(
            RaterEntry("Jo Smith", "jo@nhs.net", Category.PEER),
            RaterEntry("Ali Khan", "ali@nhs.net", Category.MANAGER),
        ),
        problems=(),
    )


def test_tab_separated_lines_from_a_spreadsheet_are_read() -> None:
    parsed = parse_rater_list("Smith, Jo\tjo@nhs.net\tDirect report\r\nAli Khan\tali@nhs.net\tOther\r\n")
    assert parsed.raters == (
        RaterEntry("Smith, Jo", "jo@nhs.net", Category.DIRECT_REPORT),
        RaterEntry("Ali Khan", "ali@nhs.net", Category.OTHER),
    )
    assert parsed.problems == ()


def test_quoted_names_may_contain_commas() -> None:
    parsed = parse_rater_list('"Smith, Jo", jo@nhs.net, Peer')
    assert parsed.raters == (RaterEntry("Smith, Jo", "jo@nhs.net", Category.PEER),)


@pytest.mark.parametrize("header", ["name,email,category", "Name, Email, Category", "NAME\tEMAIL\tCATEGORY"])
def test_a_header_row_is_skipped(header: str) -> None:
    parsed = parse_rater_list(f"\n{header}\nJo,jo@nhs.net,Peer")
    assert parsed.raters == (RaterEntry("Jo", "jo@nhs.net", Category.PEER),)
    assert parsed.problems == ()


def test_a_header_row_is_only_skipped_at_the_top() -> None:
    parsed = parse_rater_list("Jo,jo@nhs.net,Peer\nname,email,category")
    assert messages(parsed) == [
        "Line 2: 'email' is not a valid email address – check it is written like name@example.nhs.uk"
    ]


def test_blank_lines_are_ignored_but_counted_in_line_numbers() -> None:
    parsed = parse_rater_list("\n   \nJo,jo@nhs.net,Peer\n\n\t\nAli,ali@,Peer\n")
    assert len(parsed.raters) == 1
    assert parsed.problems == (
        LineProblem(
            6,
            "Ali,ali@,Peer",
            "Line 6: 'ali@' is not a valid email address – check it is written like name@example.nhs.uk",
        ),
    )


def test_empty_spreadsheet_rows_and_trailing_empty_columns_are_ignored() -> None:
    parsed = parse_rater_list(",,\nJo,jo@nhs.net,Peer,,\n , , ")
    assert parsed == ParsedList((RaterEntry("Jo", "jo@nhs.net", Category.PEER),), ())


def test_a_byte_order_mark_from_a_saved_csv_does_not_hide_the_header() -> None:
    parsed = parse_rater_list("\ufeffName,Email,Category\nJo,jo@nhs.net,Peer")
    assert parsed == ParsedList((RaterEntry("Jo", "jo@nhs.net", Category.PEER),), ())


# --- what each problem says ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Jo Smith, , Peer", "add an email address"),
        (
            "Jo Smith, jo@, Peer",
            "'jo@' is not a valid email address – check it is written like name@example.nhs.uk",
        ),
        ("Jo Smith, jo@nhs.net, Boss", f"'Boss' is not a rater group – {GROUPS}"),
        ("Jo Smith, jo@nhs.net, Self", f"'Self' is not a rater group – {GROUPS}"),
        ("Jo Smith, jo@nhs.net, ", f"add a rater group – {GROUPS}"),
        ("Jo Smith, Existing@NHS.net, Peer", "existing@nhs.net is already on your list"),
        ("Me, ME@nhs.net, Peer", "you cannot invite yourself – your own ratings are your self-assessment"),
        (", jo@nhs.net, Peer", "add the person's name"),
        ("x" * (MAX_NAME_LENGTH + 1) + ", jo@nhs.net, Peer", "a name can be at most 200 characters"),
        ("Jo Smith jo@nhs.net Peer", "write name, email and group separated by commas"),
        ("Jo Smith, jo@nhs.net", "write name, email and group separated by commas"),
        ("Jo, Smith, jo@nhs.net, Peer", "write name, email and group separated by commas"),
    ],
)
def test_each_problem_tells_the_owner_what_to_fix(line: str, message: str) -> None:
    parsed = parse_rater_list(
        f"Ali,ali@nhs.net,Peer\n{line}", existing_emails=["existing@nhs.net"], owner_email=OWNER
    )
    assert parsed.problems == (LineProblem(2, line.strip(), f"Line 2: {message}"),)
    assert parsed.raters == (RaterEntry("Ali", "ali@nhs.net", Category.PEER),)


def test_names_have_whitespace_tidied_and_control_characters_removed() -> None:
    parsed = parse_rater_list('"Jo\u00a0 Smith\x00\tJr", jo@nhs.net, Peer\n"\x01", ali@nhs.net, Peer')
    assert parsed.raters == (RaterEntry("Jo Smith Jr", "jo@nhs.net", Category.PEER),)
    assert messages(parsed) == ["Line 2: add the person's name"]


def test_a_name_of_exactly_the_maximum_length_is_kept() -> None:
    name = "x" * MAX_NAME_LENGTH
    assert parse_rater_list(f"{name},jo@nhs.net,Peer").raters == (
        RaterEntry(name, "jo@nhs.net", Category.PEER),
    )


def test_bad_lines_are_reported_and_good_lines_kept() -> None:
    parsed = parse_rater_list(
        "Jo,jo@nhs.net,Peer\nBob,bob@,Peer\nAli,ali@nhs.net,Boss\nSam,sam@nhs.net,Other"
    )
    assert [r.email for r in parsed.raters] == ["jo@nhs.net", "sam@nhs.net"]
    assert [p.line_number for p in parsed.problems] == [2, 3]


def test_emails_already_on_the_list_are_refused_whatever_their_case() -> None:
    parsed = parse_rater_list("Jo,jo@NHS.NET,Peer", existing_emails={"Jo@nhs.net"})
    assert parsed.raters == ()
    assert messages(parsed) == ["Line 1: jo@nhs.net is already on your list"]


def test_a_withdrawn_rater_is_refused_by_name_in_any_spelling_and_group() -> None:
    withdrawn = {"nia@nhs.net": "Nia Patel"}
    parsed = parse_rater_list("N Patel,Nia+x@NHS.net,Peer", existing_emails={"nia@nhs.net"}, withdrawn=withdrawn)
    assert parsed.raters == ()
    assert messages(parsed) == ["Line 1: Nia Patel was withdrawn from this round, so they cannot be invited to it "
                                "again"]
    assert check_rater("Nia", "nia@nhs.net", "other", ["nia@nhs.net"], withdrawn={"nia@nhs.net": "de Souza"}) == (
        "de Souza was withdrawn from this round, so they cannot be invited to it again")  # the name as written


def test_a_repeated_email_in_the_paste_keeps_the_first_and_reports_the_rest() -> None:
    parsed = parse_rater_list("Jo,jo@nhs.net,Peer\nJoanne,JO@nhs.net,Manager\n\nJo S,jo@NHS.net,Other")
    assert parsed.raters == (RaterEntry("Jo", "jo@nhs.net", Category.PEER),)
    assert messages(parsed) == [
        "Line 2: jo@nhs.net appears more than once in what you pasted",
        "Line 4: jo@nhs.net appears more than once in what you pasted",
    ]


def test_a_refused_first_occurrence_does_not_block_a_later_good_one() -> None:
    parsed = parse_rater_list("Jo,jo@nhs.net,Boss\nJo,jo@nhs.net,Peer")
    assert parsed.raters == (RaterEntry("Jo", "jo@nhs.net", Category.PEER),)
    assert [p.line_number for p in parsed.problems] == [1]


def test_the_owner_cannot_invite_themselves_whatever_the_case() -> None:
    parsed = parse_rater_list("Me,Me@NHS.net,Peer", owner_email="ME@nhs.net")
    assert parsed.raters == ()
    assert messages(parsed) == [
        "Line 1: you cannot invite yourself – your own ratings are your self-assessment"
    ]


def test_only_the_first_500_lines_are_read() -> None:
    rows = [f"Person {i},p{i}@nhs.net,Peer" for i in range(MAX_LINES + 20)]
    parsed = parse_rater_list("\n".join(["", *rows]))
    assert len(parsed.raters) == MAX_LINES
    assert parsed.raters[-1].email == f"p{MAX_LINES - 1}@nhs.net"
    assert parsed.problems == (
        LineProblem(
            MAX_LINES + 2,
            "\n".join(rows[MAX_LINES:]),  # every line not read, so none is lost from the box
            f"Line {MAX_LINES + 2}: only the first 500 lines were read – add the rest in another paste",
        ),
    )


def test_bad_lines_count_towards_the_500_line_limit_but_a_header_does_not() -> None:
    rows = [
        "name,email,category",
        "Bad,bad@,Peer",
        *(f"P{i},p{i}@nhs.net,Peer" for i in range(MAX_LINES - 1)),
    ]
    parsed = parse_rater_list("\n".join(rows))
    assert len(parsed.raters) == MAX_LINES - 1
    assert [p.line_number for p in parsed.problems] == [2]


def test_exactly_500_lines_raise_no_limit_problem() -> None:
    parsed = parse_rater_list("\n".join(f"P{i},p{i}@nhs.net,Peer" for i in range(MAX_LINES)) + "\n\n")
    assert len(parsed.raters) == MAX_LINES
    assert parsed.problems == ()


def test_empty_text_gives_an_empty_list() -> None:
    assert parse_rater_list("") == ParsedList((), ())
    assert parse_rater_list(" \n\r\n\t ") == ParsedList((), ())


# --- properties ---------------------------------------------------------------------------------------------

CATEGORY_WORDS = {
    "Manager": Category.MANAGER,
    "line managers": Category.MANAGER,
    "PEER": Category.PEER,
    "colleague": Category.PEER,
    "Direct report": Category.DIRECT_REPORT,
    "direct_report": Category.DIRECT_REPORT,
    "others": Category.OTHER,
}
EXISTING = "existing@nhs.net"

# Any name without control characters: line breaks and tabs separate rows and fields; no real name has them.
# A paste's leading byte-order mark is dropped as a CSV artefact, so a name made of one is really blank.
names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40).filter(
    lambda name: name.lstrip("\ufeff").strip()
)
emails = st.builds(
    lambda local, domain, case: case(f"r{local}@{domain}"),
    st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True),
    st.sampled_from(["nhs.net", "example.nhs.uk", "cabinetoffice.gov.uk"]),
    st.sampled_from([str.lower, str.upper, str.title]),
)
simple_names = st.from_regex(r"[A-Z][a-z]{1,10}", fullmatch=True)
bad_rows = st.one_of(
    st.builds(lambda n: f", x{n.lower()}@nhs.net, Peer", simple_names),
    st.builds(lambda n: f"{n},  , Peer", simple_names),
    st.builds(
        lambda n, e: f"{n}, {e}, Peer", simple_names, st.sampled_from(["jo@", "jo", "jo@nhs", "@nhs.net"])
    ),
    st.builds(lambda n: f"{n}, x@nhs.net, Boss", simple_names),
    st.builds(lambda n: f"{n}, x@nhs.net,", simple_names),
    st.builds(lambda n: n, simple_names),
    st.builds(lambda n: f"{n}, {n}@nhs.net", simple_names),
    st.just("y" * (MAX_NAME_LENGTH + 1) + ", y@nhs.net, Peer"),
    st.builds(lambda n: f"{n}, {OWNER.upper()}, Other", simple_names),
    st.builds(lambda n: f"{n}, {EXISTING.title()}, Other", simple_names),
)
blank_lines = st.sampled_from(["", "   ", "\t", ",,", " , , "])


def row(fields: list[str], separator: str) -> str:
    def quoted(field: str) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter=separator.strip() or "\t", lineterminator="").writerow([field])
        return out.getvalue()

    return separator.join(quoted(f) for f in fields)


@st.composite
def pastes(draw: st.DrawFn) -> list[tuple[str, str, RaterEntry | None]]:
    """Shuffled lines, each as (kind, text, the rater it should give)."""
    separator = draw(st.sampled_from([",", ", ", "\t"]))
    valid = draw(
        st.lists(
            st.tuples(names, emails, st.sampled_from(sorted(CATEGORY_WORDS))),
            unique_by=lambda r: r[1].lower(),
            max_size=15,
        )
    )
    lines: list[tuple[str, str, RaterEntry | None]] = [
        ("valid", row([n, e, w], separator), RaterEntry(" ".join(n.split()), e.lower(), CATEGORY_WORDS[w]))
        for n, e, w in valid
    ]
    lines += [("bad", b, None) for b in draw(st.lists(bad_rows, max_size=10))]
    lines += [("blank", b, None) for b in draw(st.lists(blank_lines, max_size=8))]
    return draw(st.permutations(lines))


@given(pastes(), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_every_line_is_kept_or_reported_exactly_once(
    paste: list[tuple[str, str, RaterEntry | None]], newline: str, header: bool
) -> None:
    lines = (["Name,Email,Category"] if header else []) + [text for _, text, _ in paste]
    first = len(lines) - len(paste) + 1
    expected = [rater for _, _, rater in paste if rater is not None]
    bad_line_numbers = [number for number, (kind, _, _) in enumerate(paste, start=first) if kind == "bad"]

    parsed = parse_rater_list(newline.join(lines), existing_emails=[EXISTING], owner_email=OWNER)

    assert list(parsed.raters) == expected
    assert [p.line_number for p in parsed.problems] == bad_line_numbers
    for problem in parsed.problems:
        assert problem.text == lines[problem.line_number - 1].strip()
        assert problem.message.startswith(f"Line {problem.line_number}: ")
    assert len(parsed.raters) + len(parsed.problems) == sum(kind != "blank" for kind, _, _ in paste)


@given(
    st.lists(st.tuples(names, emails), min_size=1, max_size=10, unique_by=lambda r: r[1].lower()), st.data()
)
def test_repeated_emails_keep_the_first_and_report_each_repeat(
    rows: list[tuple[str, str]], data: st.DataObject
) -> None:
    repeats = data.draw(st.lists(st.sampled_from(rows), max_size=10))
    lines = [row([name, email, "Peer"], ",") for name, email in rows]
    lines += [row([name, email.swapcase(), "Other"], ",") for name, email in repeats]

    parsed = parse_rater_list("\n".join(lines))

    assert [r.email for r in parsed.raters] == [email.lower() for _, email in rows]
    assert messages(parsed) == [
        f"Line {len(rows) + i + 1}: {email.lower()} appears more than once in what you pasted"
        for i, (_, email) in enumerate(repeats)
    ]


def test_the_owner_is_told_which_groups_will_be_combined() -> None:
    from surveys.rater_list import chosen_per_category

    choices = chosen_per_category([Category.MANAGER, Category.PEER, Category.PEER, Category.OTHER, Category.OTHER,
                                   Category.OTHER])
    assert [(c.category, c.chosen, c.may_be_combined) for c in choices] == [
        (Category.MANAGER, 1, False), (Category.PEER, 2, True), (Category.OTHER, 3, False)]


def test_lines_to_fix_are_numbered_as_they_stand_in_the_box() -> None:
    parsed = parse_rater_list("Jo,jo@nhs.net,Peer\n\nBad,bad@,Peer\nSam,sam@nhs.net,Peer\nNo group,ng@nhs.net,")
    text, problems = lines_to_fix(parsed.problems)
    assert [p.line_number for p in parsed.problems] == [3, 5]
    assert text == "Bad,bad@,Peer\nNo group,ng@nhs.net,"
    assert [p.line_number for p in problems] == [1, 2]
    assert problems[0].message.startswith("Line 1: 'bad@' is not a valid email address")
    assert problems[1].message.startswith("Line 2: add a rater group")
    assert [text.split("\n")[p.line_number - 1] for p in problems] == [p.text for p in parsed.problems]


def test_lines_not_read_go_back_to_the_box_after_those_to_fix() -> None:
    rows = ["Bad,bad@,Peer", *(f"P{i},p{i}@nhs.net,Peer" for i in range(MAX_LINES + 2))]
    text, problems = lines_to_fix(parse_rater_list("\n".join(rows)).problems)
    assert text.split("\n") == [rows[0], *rows[MAX_LINES:]]
    assert [p.line_number for p in problems] == [1, 2]


def test_a_one_group_list_reads_name_and_email_and_speaks_only_of_them() -> None:
    shape = LineShape(group=Category.OTHER, own_view="your own view goes elsewhere")
    parsed = parse_rater_list("Name, Email\nJo\tjo@nhs.net\nAl, al@nhs.net, Peer\nKim, kim@nhs.net, Boss\n"
                              "Sam, sam@nhs.net,\nMe, me@nhs.net", owner_email=OWNER, shape=shape)
    assert [(r.email, r.category) for r in parsed.raters] == [
        ("jo@nhs.net", Category.OTHER), ("al@nhs.net", Category.OTHER), ("sam@nhs.net", Category.OTHER)]
    assert messages(parsed) == ["Line 4: write name and email separated by a comma",
                                "Line 6: you cannot invite yourself – your own view goes elsewhere"]
