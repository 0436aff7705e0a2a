"""The hash-chained, append-only audit trail.

Every write of the store appends events in the same transaction as the rows
it describes. An event's hash is ``sha256(prev_hash + canonical JSON of the
event)``, where the canonical JSON (sorted keys, no spaces) covers the event's
id, time, actor, action, entity, entity id and payload; the first event
chains from 64 zeros. Payloads hold ids and hashes only, never names,
numbers or dates of birth.

Appending takes the chain lock first (PostgreSQL: ``pg_advisory_xact_lock``;
SQLite: the write session's ``BEGIN IMMEDIATE``), reads the head, and gives the
new event id ``head.id + 1``: two writers never fork the chain.

The database refuses UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) of
``audit_events`` with triggers created by the migration. :func:`verify_chain`
does not rely on them; it recomputes the chain and detects

* an edited event (its hash no longer matches its content),
* a deleted event (a gap in ids, or ``prev_hash`` not the previous hash),
* reordered or renumbered events (ids are inside the hash),
* a deleted tail, as long as a verdict recorded after the cut remains
  (``verdicts.audit_hash`` names its ``verdict.recorded`` event),
* an edited or deleted verdict (decision, policy, inputs or checks differ from
  what its event recorded; a recorded verdict that is gone).

It cannot detect someone who rewrites the whole chain from the point of an
edit onward (every hash recomputed) together with the verdict rows, or who
deletes the newest verdicts together with their events. Against those, keep
the head hash somewhere else (print it with ``kyc-ocr audit verify``, write it
to a ticket or a WORM bucket) and check it later with ``--expect HASH``.

>>> event_hash(GENESIS, {"id": 1, "action": "customer.created"})[:16]
'c181842c4483ddd5'
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from kyc_ocr.store.crypto import Cipher
from kyc_ocr.store.tables import AuditEvent

log = logging.getLogger(__name__)

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x6B79636F6372  # "kycocr": one advisory lock for the chain


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, UTF-8 kept.

    >>> canonical_json({"b": 1, "a": [1, "é"]})
    '{"a":[1,"é"],"b":1}'
    """
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return sha256_text(prev_hash + canonical_json(body))


def utc_iso(ts: datetime) -> str:
    """A timestamp as UTC ISO text with microseconds; naive values (SQLite) are taken as UTC.

    >>> utc_iso(datetime(2024, 5, 1, 12, 0))
    '2024-05-01T12:00:00.000000+00:00'
    """
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def event_body(ev: AuditEvent) -> dict[str, Any]:
    """What the hash of an event covers."""
    return {
        "id": ev.id,
        "ts": utc_iso(ev.ts),
        "actor": ev.actor,
        "action": ev.action,
        "entity": ev.entity,
        "entity_id": ev.entity_id,
        "payload": ev.payload,
    }


def default_actor() -> str:
    """The OS user running the process (``uid:N`` where the user has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def lock_chain(session: Session) -> None:
    """Serialise appenders: PostgreSQL advisory lock held until the transaction ends.

    SQLite needs nothing here: a write session opened with ``BEGIN IMMEDIATE``
    already holds the database's single write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


class AuditLog:
    """Appends events to the chain inside one (write) session; call :func:`lock_chain` first."""

    def __init__(self, session: Session, actor: str) -> None:
        self.session = session
        self.actor = actor[:128]
        row = session.execute(sa.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
        self.head_id, self.head_hash = (row[0], row[1]) if row else (0, GENESIS)

    def append(self, action: str, entity: str, entity_id: str, payload: dict[str, Any]) -> AuditEvent:
        ev = AuditEvent(
            id=self.head_id + 1,
            ts=datetime.now(UTC),
            actor=self.actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            payload=json.loads(canonical_json(payload)),
            prev_hash=self.head_hash,
        )
        ev.hash = event_hash(ev.prev_hash, event_body(ev))
        self.session.add(ev)
        self.head_id, self.head_hash = ev.id, ev.hash
        log.debug("audit event %d %s %s", ev.id, action, entity)
        return ev


@dataclass(frozen=True)
class AuditProblem:
    """One thing wrong with the trail; ``event_id`` is 0 when no single event is to blame."""

    event_id: int
    kind: str  # edited | deleted | broken-link | truncated | verdict-mismatch | verdict-missing | head-missing
    detail: str

    def __str__(self) -> str:
        where = f"event #{self.event_id}" if self.event_id else "audit trail"
        return f"{where}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class AuditReport:
    events: int
    head_id: int
    head_hash: str
    problems: tuple[AuditProblem, ...] = field(default_factory=tuple)
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> AuditProblem | None:
        return self.problems[0] if self.problems else None


def walk_chain(events: Iterable[AuditEvent]) -> tuple[int, int, str, list[AuditProblem]]:
    """Check hashes and links of events given in id order; returns (count, head id, head hash, problems)."""
    problems: list[AuditProblem] = []
    count, prev_id, prev_hash = 0, 0, GENESIS
    for ev in events:
        count += 1
        if ev.id != prev_id + 1:
            problems.append(AuditProblem(ev.id, "deleted", f"events #{prev_id + 1}..#{ev.id - 1} are missing"))
        elif ev.prev_hash != prev_hash:
            problems.append(AuditProblem(ev.id, "broken-link", "prev_hash does not match the previous event"))
        if event_hash(ev.prev_hash, event_body(ev)) != ev.hash:
            problems.append(AuditProblem(ev.id, "edited", f"content does not match its hash ({ev.action})"))
        prev_id, prev_hash = ev.id, ev.hash
    return count, prev_id, prev_hash, problems


def verify_chain(
    session: Session, *, expect_hash: str | None = None, verdicts: bool = True, cipher: Cipher | None = None
) -> AuditReport:
    """Recompute the whole chain, then cross-check the verdicts against their events.

    ``expect_hash``: a head hash recorded earlier; it must still be in the chain.
    ``cipher``: opens encrypted check evidence so its digest can be compared too.
    """
    stream = session.execute(sa.select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000))
    count, head_id, head_hash, problems = walk_chain(stream.scalars())
    notes: list[str] = []
    if expect_hash and expect_hash != GENESIS:
        found = session.execute(sa.select(AuditEvent.id).where(AuditEvent.hash == expect_hash)).scalar()
        if found is None:
            problems.append(AuditProblem(0, "head-missing", f"expected hash {expect_hash[:16]}... is not in the "
                                                             "chain (events were removed or rewritten)"))
    if verdicts:
        from kyc_ocr.store.verdict_audit import check_verdicts

        more, more_notes = check_verdicts(session, cipher)
        problems.extend(more)
        notes.extend(more_notes)
    problems.sort(key=lambda p: (p.event_id == 0, p.event_id))
    return AuditReport(count, head_id, head_hash, tuple(problems), tuple(notes))
