"""Column types that are encrypted at rest with the app's key ring (AES-GCM, see app.crypto).

Each column names its own context, bound in as associated data, so a value copied into another column or table
does not decrypt.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from app.crypto import key_ring


class EncryptedText(sa.types.TypeDecorator[str]):
    impl = sa.Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else key_ring().encrypt_text(value, self.context)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else key_ring().decrypt_text(value, self.context)


class EncryptedJSON(sa.types.TypeDecorator[Any]):
    impl = sa.Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> str | None:
        return None if value is None else key_ring().encrypt_text(json.dumps(value), self.context)

    def process_result_value(self, value: str | None, dialect: sa.Dialect) -> Any:
        return None if value is None else json.loads(key_ring().decrypt_text(value, self.context))


def reencrypt_columns() -> int:
    """Write every encrypted column again, so it is encrypted under the primary key (used when rotating keys)."""
    import sqlalchemy.orm as so

    from app.extensions import db

    rows = 0
    for mapper in db.Model.registry.mappers:
        attributes = [mapper.get_property_by_column(c).key for c in mapper.columns
                      if isinstance(c.type, EncryptedText | EncryptedJSON)]
        if not attributes:
            continue
        for obj in db.session.scalars(sa.select(mapper.class_)).all():
            for attribute in attributes:
                so.attributes.flag_modified(obj, attribute)
            rows += 1
        db.session.commit()
    return rows
