from reports.access import read_capacity


def test_the_owner_reads_as_owner() -> None:
    assert read_capacity(1, owner_id=1, facilitator_id=2, shared_with={3}) == "owner"


def test_the_assigned_facilitator_reads_as_facilitator() -> None:
    assert read_capacity(2, owner_id=1, facilitator_id=2, shared_with=()) == "facilitator"


def test_someone_shared_with_reads_as_shared() -> None:
    assert read_capacity(3, owner_id=1, facilitator_id=None, shared_with={3}) == "shared"


def test_anyone_else_reads_nothing() -> None:
    assert read_capacity(4, owner_id=1, facilitator_id=2, shared_with={3}) is None
    assert read_capacity(4, owner_id=1, facilitator_id=None, shared_with=()) is None


def test_a_report_held_for_the_facilitator_is_closed_to_its_owner_only() -> None:
    # Where the organisation has the facilitator read the report first (PRODUCT §5), the owner waits for the
    # release; the facilitator and anyone it was shared with do not.
    held = {"owner_id": 1, "facilitator_id": 2, "shared_with": {3}, "held_from_owner": True}
    assert read_capacity(1, **held) is None
    assert read_capacity(2, **held) == "facilitator"
    assert read_capacity(3, **held) == "shared"
    assert read_capacity(1, **{**held, "held_from_owner": False}) == "owner"
