from collections.abc import Collection

from hypothesis import given
from hypothesis import strategies as st

from reports.access import read_capacity


def _capacity(reader_id: int, owner_id: int, facilitator_id: int | None, shared_with: Collection[int],
              held_from_owner: bool = False) -> str | None:
    return read_capacity(reader_id, owner_id, lambda: facilitator_id, lambda: shared_with, lambda: held_from_owner)


def test_the_owner_reads_as_owner() -> None:
    assert _capacity(1, owner_id=1, facilitator_id=2, shared_with={3}) == "owner"


def test_the_assigned_facilitator_reads_as_facilitator() -> None:
    assert _capacity(2, owner_id=1, facilitator_id=2, shared_with=()) == "facilitator"


def test_someone_shared_with_reads_as_shared() -> None:
    assert _capacity(3, owner_id=1, facilitator_id=None, shared_with={3}) == "shared"


def test_anyone_else_reads_nothing() -> None:
    assert _capacity(4, owner_id=1, facilitator_id=2, shared_with={3}) is None
    assert _capacity(4, owner_id=1, facilitator_id=None, shared_with=()) is None


def test_a_report_held_for_the_facilitator_is_closed_to_its_owner_only() -> None:
    # Where the organisation has the facilitator read the report first (PRODUCT §5), the owner waits for the
    # release; the facilitator and anyone it was shared with do not.
    held = {"owner_id": 1, "facilitator_id": 2, "shared_with": {3}, "held_from_owner": True}
    assert _capacity(1, **held) is None  # type: ignore[arg-type]
    assert _capacity(2, **held) == "facilitator"  # type: ignore[arg-type]
    assert _capacity(3, **held) == "shared"  # type: ignore[arg-type]
    assert _capacity(1, **{**held, "held_from_owner": False}) == "owner"  # type: ignore[arg-type]


PEOPLE = st.integers(1, 4)


@given(reader=PEOPLE, owner=PEOPLE, facilitator=st.none() | PEOPLE, shared=st.frozensets(PEOPLE), held=st.booleans())
def test_the_rule_asks_only_for_the_facts_its_answer_rests_on(reader: int, owner: int, facilitator: int | None,
                                                              shared: frozenset[int], held: bool) -> None:
    """Each fact is a database statement on the report page: the owner's read asks only whether the report is held
    from them, the facilitator's only who facilitates, anyone else's never whether it is held."""
    asked: list[str] = []

    def fact(name: str, value: object):  # type: ignore[no-untyped-def]
        return lambda: asked.append(name) or value

    answer = read_capacity(reader, owner, fact("facilitator", facilitator), fact("shared", shared),
                           fact("held", held))
    if reader == owner:
        assert asked == ["held"] and answer == (None if held else "owner")
    elif reader == facilitator:
        assert asked == ["facilitator"] and answer == "facilitator"
    else:
        assert asked == ["facilitator", "shared"] and answer == ("shared" if reader in shared else None)
