"""Column types that are encrypted at rest with the app's key ring (AES-GCM, see app.crypto), each value bound to
its column *and its row*.

The associated data of every value is `<context>|<primary key>`: a value copied into another column, another table
or another row (one owner's preparation document pasted into another's) fails to open. A column type alone never
sees the row, so the ORM does the binding: rows are sealed just before they are written (when the primary key is
known) and opened as they are loaded. In the ORM, an encrypted attribute is always the plain value.

Outside the ORM (Core statements), a value to write is given as `bound_to(value, row_id)`, and what a Core select
returns is the stored `Ciphertext`, opened with `open_stored(...)`. Plain values are refused there rather than
written without their row.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.orm.attributes import set_committed_value

from app.crypto import key_ring


class Ciphertext(str):
    """A value as stored in an encrypted column, not yet opened with its row."""

    __slots__ = ()


@dataclass(frozen=True)
class RowBound:
    value: Any
    row_id: str


def bound_to(value: Any, row_id: object) -> RowBound:
    """A plain value to write with a Core statement into the row whose primary key is `row_id`."""
    return RowBound(value, str(row_id))


def associated_data(context: str, row_id: object) -> str:
    return f"{context}|{row_id}"


class _Encrypted(sa.types.TypeDecorator[Any]):
    impl = sa.Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def dump(self, value: Any) -> str:
        raise NotImplementedError

    def load(self, text: str) -> Any:
        raise NotImplementedError

    def seal(self, value: Any, row_id: object) -> Ciphertext:
        return Ciphertext(key_ring().encrypt_text(self.dump(value), associated_data(self.context, row_id)))

    def open(self, stored: str, row_id: object) -> Any:
        return self.load(key_ring().decrypt_text(stored, associated_data(self.context, row_id)))

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Ciphertext):
            return str(value)
        if isinstance(value, RowBound):
            return str(self.seal(value.value, value.row_id))
        raise TypeError(f"{self.context}: an encrypted value is bound to its row; write it through the ORM, or "
                        "give bound_to(value, row_id) in a Core statement")

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> Ciphertext | None:
        return None if value is None else Ciphertext(value)


class EncryptedText(_Encrypted):
    cache_ok = True

    def dump(self, value: Any) -> str:
        return str(value)

    def load(self, text: str) -> Any:
        return text


class EncryptedJSON(_Encrypted):
    cache_ok = True

    def dump(self, value: Any) -> str:
        return json.dumps(value)

    def load(self, text: str) -> Any:
        return json.loads(text)


def open_stored(column: sa.Column[Any], stored: str | None, row_id: object) -> Any:
    """Open a value a Core select returned from an encrypted column."""
    return None if stored is None else column.type.open(stored, row_id)


# --- the ORM side: seal before writing, open after loading ---------------------------------------------------------

_ATTRIBUTES: dict[so.Mapper[Any], tuple[tuple[str, _Encrypted], ...]] = {}


def encrypted_attributes(mapper: so.Mapper[Any]) -> tuple[tuple[str, _Encrypted], ...]:
    # Asked for every object loaded (most have none), and a mapper's columns never change once configured.
    found = _ATTRIBUTES.get(mapper)
    if found is None:
        found = _ATTRIBUTES[mapper] = tuple((mapper.get_property_by_column(c).key, c.type) for c in mapper.columns
                                            if isinstance(c.type, _Encrypted))
    return found


def _row_id(mapper: so.Mapper[Any], target: Any) -> str:
    values = mapper.primary_key_from_instance(target)
    if any(v is None for v in values):
        raise ValueError(f"{mapper.class_.__name__}: an encrypted row needs its primary key before it is written "
                         "(a foreign key, or a key the application chooses)")
    return "|".join(str(v) for v in values)


def _choose_primary_key(mapper: so.Mapper[Any], target: Any) -> None:
    """Apply a Python-side default (a random key) to the primary key now, so the row id can be sealed in."""
    for column in mapper.primary_key:
        key = mapper.get_property_by_column(column).key
        if getattr(target, key) is None and column.default is not None and column.default.is_callable:
            setattr(target, key, column.default.arg(None))  # type: ignore[attr-defined]


_PLAIN = "open360_plain_values"


def _seal(mapper: so.Mapper[Any], connection: sa.Connection, target: Any, inserting: bool) -> None:
    attributes = encrypted_attributes(mapper)
    if not attributes:
        return
    if inserting:
        _choose_primary_key(mapper, target)
    state = sa.inspect(target)
    plain: dict[str, Any] = {}
    for key, type_ in attributes:
        value = state.dict.get(key)
        if value is None or isinstance(value, Ciphertext):
            continue
        if not inserting and not state.attrs[key].history.has_changes():
            continue
        plain[key] = value
        setattr(target, key, type_.seal(value, _row_id(mapper, target)))
    if plain:
        state.info[_PLAIN] = plain


def _restore(mapper: so.Mapper[Any], connection: sa.Connection, target: Any) -> None:
    """After the write, the object holds the plain values again (as committed: nothing left to flush)."""
    for key, value in sa.inspect(target).info.pop(_PLAIN, {}).items():
        set_committed_value(target, key, value)


def _open(target: Any, attrs: Any = None) -> None:
    state = sa.inspect(target)
    mapper = state.mapper
    attributes = encrypted_attributes(mapper)
    if not attributes:
        return
    for key, type_ in attributes:
        value = state.dict.get(key)
        if isinstance(value, Ciphertext) and (attrs is None or key in attrs):
            set_committed_value(target, key, type_.open(value, _row_id(mapper, target)))


def bind_rows_to_ciphertexts(base: type[Any]) -> None:
    """Install the sealing and opening on every model (called once, for db.Model)."""
    sa.event.listen(base, "before_insert", lambda m, c, t: _seal(m, c, t, inserting=True), propagate=True)
    sa.event.listen(base, "before_update", lambda m, c, t: _seal(m, c, t, inserting=False), propagate=True)
    sa.event.listen(base, "after_insert", _restore, propagate=True)
    sa.event.listen(base, "after_update", _restore, propagate=True)
    sa.event.listen(base, "load", lambda target, _context: _open(target), propagate=True)
    sa.event.listen(base, "refresh", lambda target, _context, attrs: _open(target, attrs), propagate=True)


# --- key rotation: small batches, compare-and-swap ------------------------------------------------------------------

ROTATION_BATCH = 100


@dataclass
class RotationCount:
    rewritten: int = 0
    changed_meanwhile: int = 0


def _encrypted_tables(base: type[Any]) -> Iterator[tuple[sa.Table, sa.Column[Any], list[sa.Column[Any]]]]:
    for mapper in base.registry.mappers:
        columns = [c for c in mapper.local_table.columns if isinstance(c.type, _Encrypted)]
        if columns:
            (primary_key,) = mapper.local_table.primary_key.columns  # every encrypted table has a one-column key
            yield mapper.local_table, primary_key, columns


def rotate_encrypted_columns(batch_size: int = ROTATION_BATCH) -> RotationCount:
    """Re-encrypt under the primary master key every value still under another, safe while the app serves.

    Each batch is read, then re-encrypted outside any transaction, then written in one short transaction whose
    UPDATEs each compare-and-swap: `WHERE id = … AND column = <the value read>`. A row someone saved meanwhile is
    left as they wrote it (their save used the primary key already), never overwritten with the older value; on
    SQLite the write lock is held for one batch only, so writers wait milliseconds, not the whole rotation."""
    from app.extensions import db

    ring = key_ring()
    count = RotationCount()
    for table, primary_key, columns in _encrypted_tables(db.Model):
        after: Any = None
        while True:
            query = sa.select(primary_key, *columns).order_by(primary_key).limit(batch_size)
            if after is not None:
                query = query.where(primary_key > after)
            rows = db.session.execute(query).all()
            db.session.rollback()  # end the read: nothing is held while re-encrypting
            if not rows:
                break
            after = rows[-1][0]
            for row_id, *stored in rows:
                old = dict(zip(columns, stored, strict=True))
                new = {c.name: c.type.seal(c.type.open(v, row_id), row_id) for c, v in old.items()
                       if v is not None and v.split(".", 2)[1:2] != [ring.primary_id]}
                if not new:
                    continue
                swapped = db.session.execute(
                    table.update().where(primary_key == row_id, *(c.is_(None) if v is None else c == v
                                                                  for c, v in old.items())).values(**new))
                if swapped.rowcount == 1:
                    count.rewritten += 1
                else:
                    count.changed_meanwhile += 1
            db.session.commit()
    return count
