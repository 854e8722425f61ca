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
