"""A design-time check that open questions are phrased as open questions.

An open-text question invites a story; phrased as a yes/no question ("Ben je tevreden
over...?", "Do you...?") it invites a one-word answer, and phrased as a leading question
("Don't you think...?", "Is het niet zo dat...?") it tells the employee which answer is
wanted. :func:`question_warnings` looks at every open-text question of a catalog (and at the
open questions of its guides) and returns a :class:`QuestionWarning` for each one phrased
like that, with a pattern for rephrasing it. Warnings do not make a design invalid.

**The heuristic**, per sentence ending in ``?``:

- *leading*: it contains one of a list of steering phrases (Dutch: "is het niet zo dat",
  "vind je ook niet", "ben je het (met me) eens", "toch?", "of niet?"; English: "don't you
  think", "wouldn't you agree", "isn't it", "surely", ", right?", ...);
- *closed*: its main clause starts with a verb, which in Dutch and English makes a yes/no
  question. In English that is an auxiliary ("do", "is", "have", "can", "would", ...); in
  Dutch any word directly followed by a subject pronoun or ``er`` ("Heb je", "Loop je",
  "Zijn er"). A clause that starts with a question word ("wat", "hoe", "welke", "what",
  "how", "which", also after a preposition: "op welk", "to what") is open; a leading
  subordinate clause ("Als je...,", "If you...,") is skipped.

**Its limits**: it reads word order, not meaning. "Hoe vaak ben je tevreden?" passes although
it asks for a number; "Vertel eens..." passes (rightly); a Dutch question that starts with a
noun ("Collega's helpen je?") is missed, as is leading phrasing outside the lists. Yes/no,
scale and choice questions are never checked: for them a closed form is the point. Treat a
warning as a prompt to reread the question, and an absence of warnings as no guarantee.

>>> lint_question("Ben je tevreden over je werk?", "nl").value
'closed'
>>> lint_question("Don't you think the plan is good?", "en").value
'leading'
>>> lint_question("Wat maakt dat je hier graag werkt?", "nl") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from attrs import frozen

from gesprekscyclus.domain._checks import ClosedSet, typed_fields
from gesprekscyclus.domain.catalog import Catalog
from gesprekscyclus.domain.questions import QuestionKind, QuestionSet
from gesprekscyclus.domain.text import Locale, LocalizedText

__all__ = [
    "QuestionFlaw",
    "QuestionWarning",
    "lint_question",
    "question_warnings",
    "set_warnings",
]


class QuestionFlaw(ClosedSet):
    """Why a question was flagged: it invites yes or no, or it steers the answer."""

    CLOSED = "closed"
    LEADING = "leading"


_LEADING = {
    Locale.NL: (
        "is het niet zo dat",
        "vind je ook niet",
        "vind jij ook niet",
        "vind je niet dat",
        "ben je het eens",
        "ben je het met me eens",
        "ben je het niet",
        "zou je niet",
        "moet je niet",
        "toch?",
        "of niet?",
        "niet waar?",
        "natuurlijk wel",
        "je bent het toch",
    ),
    Locale.EN: (
        "don't you think",
        "do you not think",
        "wouldn't you agree",
        "would you not agree",
        "wouldn't you say",
        "don't you agree",
        "do you agree that",
        "isn't it",
        "aren't you",
        "shouldn't you",
        "surely",
        ", right?",
        "of course",
        "you agree that",
    ),
}
_QUESTION_WORDS = {
    Locale.NL: frozenset(
        [
            "wat",
            "hoe",
            "waar",
            "waarom",
            "wanneer",
            "wie",
            "wiens",
            "welke",
            "welk",
            "waarmee",
            "waarover",
            "waardoor",
            "waaraan",
            "waarin",
            "waarvan",
            "waarop",
            "waarbij",
            "waarnaar",
            "waartoe",
            "hoeveel",
            "hoelang",
            "hoezo",
            "hoeverre",
        ]
    ),
    Locale.EN: frozenset(["what", "how", "which", "where", "when", "why", "who", "whom", "whose"]),
}
_PREPOSITIONS = {
    Locale.NL: frozenset(
        ["aan", "bij", "in", "met", "naar", "op", "over", "tot", "uit", "van", "voor", "door", "om"]
    ),
    Locale.EN: frozenset(["to", "in", "on", "at", "with", "from", "for", "about", "by", "of"]),
}
_SUBORDINATE = {
    Locale.NL: frozenset(
        ["als", "stel", "nu", "terwijl", "omdat", "hoewel", "zodra", "sinds", "mocht"]
    ),
    Locale.EN: frozenset(
        ["if", "when", "suppose", "once", "although", "since", "looking", "thinking"]
    ),
}
_NL_SUBJECTS = frozenset(
    [
        "je",
        "jij",
        "u",
        "jullie",
        "we",
        "wij",
        "ik",
        "hij",
        "zij",
        "ze",
        "het",
        "er",
        "men",
        "dit",
        "dat",
    ]
)
_EN_AUXILIARIES = frozenset(
    [
        "do",
        "does",
        "did",
        "is",
        "are",
        "was",
        "were",
        "am",
        "have",
        "has",
        "had",
        "can",
        "could",
        "will",
        "would",
        "shall",
        "should",
        "may",
        "might",
        "must",
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "haven't",
        "hasn't",
        "hadn't",
        "can't",
        "couldn't",
        "won't",
        "wouldn't",
        "shouldn't",
    ]
)
_WORD = re.compile(r"[\w'’]+")

_SUGGESTION = {
    (QuestionFlaw.CLOSED, Locale.NL): (
        "begin met een vraagwoord: 'Hoe ervaar je ...?', 'Wat maakt dat ...?', "
        "'Waar loop je tegenaan bij ...?' in plaats van 'Ben je ...?' of 'Heb je ...?'"
    ),
    (QuestionFlaw.CLOSED, Locale.EN): (
        "start with a question word: 'How do you experience ...?', 'What makes ...?', "
        "'What gets in your way when ...?' instead of 'Are you ...?' or 'Do you ...?'"
    ),
    (QuestionFlaw.LEADING, Locale.NL): (
        "vraag zonder je eigen oordeel mee te geven: 'Hoe kijk jij aan tegen ...?' in "
        "plaats van 'Vind je ook niet dat ...?' of 'Is het niet zo dat ...?'"
    ),
    (QuestionFlaw.LEADING, Locale.EN): (
        "ask without giving away your own view: 'How do you see ...?' instead of "
        "'Don't you think ...?' or 'Wouldn't you agree ...?'"
    ),
}


def _words(clause: str) -> list[str]:
    return [word.lower().replace("’", "'") for word in _WORD.findall(clause)]


def _is_closed(sentence: str, locale: Locale) -> bool:
    for clause in sentence.split(","):
        words = _words(clause)
        if not words:
            continue
        first = words[0]
        if first in _SUBORDINATE[locale]:
            continue
        questions = _QUESTION_WORDS[locale]
        if first in questions:
            return False
        if first in _PREPOSITIONS[locale] and len(words) > 1 and words[1] in questions:
            return False
        if locale is Locale.EN:
            return first in _EN_AUXILIARIES
        return len(words) > 1 and words[1] in _NL_SUBJECTS
    return False


def _sentences(text: str) -> Iterable[str]:
    for match in re.finditer(r"[^.?!]*\?", text):
        yield match.group(0).strip()


def lint_question(text: str, locale: Locale | str) -> QuestionFlaw | None:
    """Whether ``text`` (in ``locale``) reads as a leading or closed question; ``None`` when
    it reads as open. See the module docstring for the heuristic and its limits."""
    locale = Locale(locale)
    lowered = " ".join(text.lower().replace("’", "'").split())
    if any(phrase in lowered for phrase in _LEADING[locale]):
        return QuestionFlaw.LEADING
    if any(_is_closed(sentence, locale) for sentence in _sentences(text)):
        return QuestionFlaw.CLOSED
    return None


@frozen(field_transformer=typed_fields)
class QuestionWarning:
    """An open question phrased as a closed or leading one.

    ``where`` is the question set ref (``check_in@2``) or ``guide:<type>``, ``question_key``
    the question's key (for a guide: ``questions[<index>]``), ``suggestion`` a pattern for
    rephrasing it in the question's language.
    """

    where: str
    question_key: str
    locale: Locale
    text: str
    flaw: QuestionFlaw
    suggestion: str

    def __str__(self) -> str:
        return (
            f"warning: {self.where}.{self.question_key} ({self.locale.value}): "
            f"{self.flaw.value} question {self.text!r}; {self.suggestion}"
        )


def _check(where: str, key: str, text: LocalizedText) -> Iterable[QuestionWarning]:
    for locale in Locale:
        if not text.has(locale):
            continue
        written = text.in_(locale)
        flaw = lint_question(written, locale)
        if flaw is not None:
            yield QuestionWarning(where, key, locale, written, flaw, _SUGGESTION[flaw, locale])


def set_warnings(question_set: QuestionSet) -> tuple[QuestionWarning, ...]:
    """The warnings for the open-text questions of one question set."""
    return tuple(
        warning
        for question in question_set.questions
        if question.kind is QuestionKind.OPEN_TEXT
        for warning in _check(str(question_set.ref), question.key, question.text)
    )


def question_warnings(catalog: Catalog) -> tuple[QuestionWarning, ...]:
    """The warnings for every open-text question in ``catalog``'s library (every version)
    and every open question of its guides.

    >>> from gesprekscyclus.domain.catalog import built_in_catalog
    >>> question_warnings(built_in_catalog())
    ()
    """
    found: list[QuestionWarning] = []
    for question_set in catalog.question_sets.sets:
        found.extend(set_warnings(question_set))
    for guide in catalog.guides:
        for index, text in enumerate(guide.questions):
            found.extend(_check(f"guide:{guide.type_key}", f"questions[{index}]", text))
    return tuple(found)
