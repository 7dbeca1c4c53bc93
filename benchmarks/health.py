"""Cycle health and early signals benchmark: the pure computations for a large headcount.

Prints figures, asserts nothing. Builds, without a store, ``--people`` people (default
5,000, in teams of 8) with a held monthly check-in each (answers to the wellbeing and
"considering leaving" questions) and a quarterly workload answer for a year, a share of
them missed or late, then times:

- ``conversation_outcomes`` and ``health_rows`` by team and month, by manager and quarter;
- ``answer_trend_rows`` by quarter and ``signal_rows``;
- ``read_records`` of the recorded example year (61 people) from its memory store.

Run: ``python benchmarks/health.py`` or ``python benchmarks/health.py --people 20000``.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime, timedelta

from gesprekscyclus.domain.conversations import Answer, Conversation, Window
from gesprekscyclus.domain.people import Person
from gesprekscyclus.domain.questions import QuestionSetRef
from gesprekscyclus.examples.recorded import recorded_year
from gesprekscyclus.service import health, signals

START = date(2027, 1, 1)
AT = datetime(2027, 1, 1, tzinfo=UTC)


def _records(count: int) -> health.Records:
    people = tuple(
        Person(
            id=f"p{n}",
            name=f"P {n}",
            hire_date=date(2020, 1, 1),
            manager_id=f"m{n // 8}",
            team=f"team-{n // 8}",
        )
        for n in range(count)
    )
    talks = []
    for person in people:
        for month in range(1, 13):
            target = date(2027, month, 3)
            talk = Conversation.plan(
                id=f"{person.id}-{month}", type_key="check_in", employee_id=person.id,
                manager_id=person.manager_id,
                window=Window(target - timedelta(days=3), target, target + timedelta(days=7)),
            )  # fmt: skip
            roll = (int(person.id[1:]) * 7919 + month * 104_729) % 100
            if roll < 5:
                talks.append(talk.mark_missed(reason="ziek", at=AT))
                continue
            held = datetime(2027, month, 3 + (12 if roll > 92 else 0), 10, tzinfo=UTC)
            talk = talk.schedule(held, at=AT).hold(at=held, held_at=held)
            values = {"wellbeing_score": 1 + roll % 5, "considering_leaving": roll % 13 == 0}
            if month % 3 == 0:
                values["workload"] = 1 + (roll + month) % 5
            answers = tuple(Answer(k, v, person.id, held) for k, v in values.items())
            talks.append(
                Conversation(
                    id=talk.id,
                    type_key=talk.type_key,
                    employee_id=talk.employee_id,
                    manager_id=talk.manager_id,
                    participants=talk.participants,
                    window=talk.window,
                    status=talk.status,
                    starts_at=talk.starts_at,
                    history=talk.history,
                    held_at=talk.held_at,
                    answers=answers,
                    question_set=QuestionSetRef("check_in", 1),
                )
            )
    return health.Records(people=people, conversations=tuple(talks))


def _timed(label: str, count: int, work: object) -> object:
    began = time.perf_counter()
    result = work()  # type: ignore[operator]
    seconds = time.perf_counter() - began
    print(f"{label:<44} {seconds:8.3f} s  {count / seconds:12,.0f} conversations/s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    args = parser.parse_args()
    records = _records(args.people)
    count = len(records.conversations)
    print(f"{args.people:,} people, {count:,} conversations")
    today = date(2028, 1, 1)
    outcomes = _timed("conversation_outcomes", count,
                      lambda: health.conversation_outcomes(records, today=today))  # fmt: skip
    _timed("health_rows by team and month", count,
           lambda: health.health_rows(outcomes, by=("team",), period="month"))  # fmt: skip
    _timed("health_rows by manager and quarter", count,
           lambda: health.health_rows(outcomes, by=("manager_id",), period="quarter"))  # fmt: skip
    _timed("answer_trend_rows by quarter", count,
           lambda: signals.answer_trend_rows(records))  # fmt: skip
    found = _timed("signal_rows", count, lambda: signals.signal_rows(records, today=today))
    print(f"{'signals found':<44} {len(found):8,}")  # type: ignore[arg-type]
    service = recorded_year()
    stored = _timed("read_records (recorded year, memory store)", 1_005,
                    lambda: health.read_records(service))  # fmt: skip
    print(f"{'records read':<44} {len(stored.conversations):8,}")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
