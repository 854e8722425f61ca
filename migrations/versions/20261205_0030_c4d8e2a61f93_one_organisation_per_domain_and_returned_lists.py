"""organisation_domains (a domain is one organisation's, held by the database) replaces organisations.email_domains;
returned_lists (a facilitator's note when they send a rater list back)

Revision ID: c4d8e2a61f93
Revises: b7d2e9a4c315
Create Date: 2026-12-05 00:30:00

"""
import json
import logging

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2a61f93'
down_revision = 'b7d2e9a4c315'
branch_labels = None
depends_on = None

log = logging.getLogger('alembic.runtime.migration')


def _normalised(text):
    return str(text).strip().lower().removeprefix('@').rstrip('.')


def keepers(held, people_at):
    """Which organisation keeps each domain: {domain: organisation id}. `held`: [(organisation id, [domains])];
    `people_at(org_id, domain)`: how many of its people have an address at the domain. A domain listed by several
    organisations (only the form refused that until now) stays with the one most of whose people use it, and on a
    tie with the one that listed it first (the lowest id): the others' administrators can then see it is gone."""
    claims = {}
    for org_id, domains in sorted(held):
        for domain in dict.fromkeys(_normalised(d) for d in domains or [] if _normalised(d)):
            claims.setdefault(domain, []).append(org_id)
    return {domain: max(orgs, key=lambda o: (people_at(o, domain), -o)) for domain, orgs in claims.items()}


def upgrade():
    op.create_table(
        'organisation_domains',
        sa.Column('domain', sa.String(253), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.CheckConstraint('domain = lower(domain)', name='ck_organisation_domains_lower_case'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('domain'),
    )
    op.create_index('ix_organisation_domains_organisation_id', 'organisation_domains', ['organisation_id'])
    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, name, email_domains FROM organisations')).all()
    names = {org_id: name for org_id, name, _ in rows}
    held = [(org_id, json.loads(value) if isinstance(value, str) else (value or [])) for org_id, _, value in rows]

    def people_at(org_id, domain):
        return connection.execute(sa.text('SELECT count(*) FROM users WHERE organisation_id = :o AND lower(email) '
                                          'LIKE :d'), {'o': org_id, 'd': '%@' + domain}).scalar()

    owner = keepers(held, people_at)
    for org_id, domains in held:
        position = 0
        for domain in dict.fromkeys(_normalised(d) for d in domains or [] if _normalised(d)):
            if owner[domain] != org_id:
                log.warning('Email domain %s was listed by both %s and %s: kept for %s (more of its people use it, or '
                            'it listed it first) and removed from %s. Check %s\'s settings.', domain,
                            names[owner[domain]], names[org_id], names[owner[domain]], names[org_id], names[org_id])
                continue
            connection.execute(sa.text('INSERT INTO organisation_domains (domain, organisation_id, position) '
                                       'VALUES (:d, :o, :p)'), {'d': domain, 'o': org_id, 'p': position})
            position += 1
    op.drop_column('organisations', 'email_domains')

    op.create_table(
        'returned_lists',
        sa.Column('cycle_id', sa.Integer(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('returned_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('cycle_id'),
    )


def downgrade():
    op.drop_table('returned_lists')
    op.add_column('organisations', sa.Column('email_domains', sa.JSON(), server_default='[]', nullable=False))
    connection = op.get_bind()
    held = {}
    for org_id, domain in connection.execute(sa.text('SELECT organisation_id, domain FROM organisation_domains '
                                                     'ORDER BY organisation_id, position')):
        held.setdefault(org_id, []).append(domain)
    for org_id, domains in held.items():
        connection.execute(sa.text('UPDATE organisations SET email_domains = :d WHERE id = :o'),
                           {'d': json.dumps(domains), 'o': org_id})
    op.drop_index('ix_organisation_domains_organisation_id', table_name='organisation_domains')
    op.drop_table('organisation_domains')
