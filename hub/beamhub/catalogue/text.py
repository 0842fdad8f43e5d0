"""Free-text search terms, shared by every store so they give the same answers.

Words in any script
-------------------
Text is cut into words at Unicode word boundaries and case-folded, using Python's own
Unicode tables through the ``regex`` module (``\\p{L}``, ``\\p{M}``, ``\\p{N}``, scripts
and grapheme clusters). ICU (PyICU) was considered: it segments Chinese, Japanese and
Thai with dictionaries, but it is a compiled binding to a system library that every
machine would have to build; the rules below need no dictionary and give both stores
the same words.

- A word is a run of letters, combining marks and digits (``\\p{L}\\p{M}\\p{N}``):
  ``"Lysozyme_001 at 100K"`` gives ``["lysozyme", "001", "at", "100k"]``,
  ``"Лизоцим"`` gives ``["лизоцим"]``, ``"हिन्दी"`` keeps its vowel signs.
- Folding: zero-width joiners and soft hyphens dropped, ``str.casefold`` (``"Straße"`` -> ``"strasse"``), NFKC compatibility forms
  (full-width ``"ＡＢＣ"`` -> ``"abc"``), and accents removed from Latin and Greek
  letters only (``"Müller"`` -> ``"muller"``, ``"ά"`` -> ``"α"``); other scripts' marks
  are parts of their letters and stay (Cyrillic ``й``, Devanagari vowel signs).
- Scripts written without spaces between words (Han, Hiragana, Katakana, Thai, Lao,
  Khmer, Myanmar, Tibetan, Javanese, Balinese...) have no boundaries to find without a
  dictionary, so their runs are indexed as single grapheme clusters *and* as pairs of
  neighbours (the bigrams of Lucene's CJK analyser): ``"溶菌酶晶体"`` gives ``溶 菌 酶 晶
  体 溶菌 菌酶 酶晶 晶体``. A query run of one character asks for that character, a
  longer run for each of its neighbouring pairs, so ``溶菌酶`` finds ``溶菌酶晶体`` and not
  a text where the characters stand apart.
- A symbol (``\\p{So}``, emoji included, with its modifiers and joiners: one grapheme
  cluster) is a word of its own: ``🧪`` finds datasets whose text holds ``🧪``.

Matching
--------
A query matches a dataset when every query word appears among the dataset's words; the
last query word (when of a spaced script) also matches as a prefix unless the query
ends with a space, so results can follow the user's typing. A query term that holds no
word at all (``\\``, ``*``, ``-``) cannot match anything, so the answer is empty, never
wider: :attr:`TextQuery.unmatchable` names such terms.

Proposal titles
---------------
A query word also matches every dataset of a proposal whose *title* holds that word
(the caller's proposals, as ``list_proposals`` gives them; a dataset's proposals as the
proposal facet counts them): "nanoparticle" finds the datasets of the proposal titled
"Silica nanoparticle growth in situ" though none of them says it, and "silica
nanoparticle 0001" finds that proposal's datasets with "0001" in their own words. The
titles are matched when the search runs (:func:`titled_proposals`, or a
:class:`TitleIndex` of every proposal's title words that a store keeps and rebuilds when
its proposals change), so changing a title re-indexes no dataset.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex

from .errors import LimitExceeded
from .scientific_metadata import text_parts

MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 16
MAX_WORD_CHARS = 64

_LETTER = r"\p{L}\p{M}\p{N}"
_UNSPACED = (r"\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Bopomofo}\p{scx=Yi}\p{Thai}\p{Lao}"
             r"\p{Khmer}\p{Myanmar}\p{Tibetan}\p{Javanese}\p{Balinese}\p{Tai_Tham}\p{New_Tai_Lue}"
             r"\p{Tai_Le}\p{Tai_Viet}")
"""Scripts written without spaces between words (see the module's docstring)."""
_TOKEN = regex.compile(
    rf"(?P<run>(?:(?=[[{_UNSPACED}]&&[{_LETTER}]])\X)+)"   # grapheme clusters of unspaced scripts
    rf"|(?P<word>[[{_LETTER}]--[{_UNSPACED}]]+(?:\p{{Cf}}+[[{_LETTER}]--[{_UNSPACED}]]+)*)"
    # letters, marks, digits of other scripts, format characters within (U+180E in Mongolian)
    r"|(?P<symbol>(?=\p{So})\X)",                           # a symbol or emoji with its modifiers
    regex.V1)
_SPACE = regex.compile(r"\s+")
_ASCII_SPLIT = regex.compile(r"[^0-9a-z]+")
_STRIPPED = regex.compile(r"(?<=[\p{Latin}\p{Greek}]\p{M}*)\p{Mn}+", regex.V1)
"""Accents on Latin and Greek letters (after NFKD); other scripts keep their marks."""
_JOINERS = {0x200C: None, 0x200D: None, 0x00AD: None}
"""Zero-width (non-)joiners and soft hyphens: typed or left out at will, so not part of
a word (``"می‌خواهم"`` is ``"میخواهم"``; an emoji sequence becomes its symbols)."""


def fold(text: str) -> str:
    """Case-folded, compatibility forms unified, Latin and Greek accents removed
    (``"Müller"`` -> ``"muller"``, ``"ＡＢＣ"`` -> ``"abc"``, ``"Straße"`` -> ``"strasse"``)."""
    if text.isascii():  # nothing to decompose: the common case, ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(_JOINERS)
    return unicodedata.normalize("NFC", _STRIPPED.sub("", decomposed))


def _tokens(text: str):
    """(kind, token) pairs of a folded text: ``word``, ``symbol``, or ``run`` (a list of
    grapheme clusters of an unspaced script)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "run":
            yield kind, regex.findall(r"\X", match[kind])
        else:
            yield kind, match[kind]


def words(text: str) -> list[str]:
    """The indexed words of a text, in order, duplicates kept, each cut to 64 characters:
    words and symbols as they are, unspaced runs as their characters and pairs."""
    folded = fold(text)
    if folded.isascii():  # the same words as below, found ten times faster
        return [w[:MAX_WORD_CHARS] for w in _ASCII_SPLIT.split(folded) if w]
    out: list[str] = []
    for kind, token in _tokens(folded):
        if kind == "run":
            out += token
            out += [a + b for a, b in zip(token, token[1:])]
        else:
            out.append(token[:MAX_WORD_CHARS])
    return out


def _query_terms(chunk: str) -> list[tuple[str, bool]]:
    """The words one query chunk asks for: (word, may be a prefix) pairs."""
    terms: list[tuple[str, bool]] = []
    for kind, token in _tokens(chunk):
        if kind == "run":
            grams = token if len(token) == 1 else [a + b for a, b in zip(token, token[1:])]
            terms += [(g, False) for g in grams]
        else:
            terms.append((token[:MAX_WORD_CHARS], kind == "word"))
    return terms


@dataclass(frozen=True)
class TextQuery:
    """A parsed free-text query: whole words plus an optional final prefix, and the
    terms that hold no word at all (which no dataset can match)."""

    whole: tuple[str, ...]
    prefix: str | None
    unmatchable: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No text at all: the query does not restrict by text."""
        return not self.whole and not self.prefix and not self.unmatchable


def parse_text_query(text: str) -> TextQuery:
    """Parse a free-text query (see the module's docstring for the rules)."""
    if len(text) > MAX_QUERY_CHARS:
        raise LimitExceeded(f"the search text is longer than {MAX_QUERY_CHARS} characters")
    found: list[tuple[str, bool]] = []
    unmatchable: list[str] = []
    for chunk in _SPACE.split(text):
        if not chunk:
            continue
        terms = _query_terms(fold(chunk))
        if terms:
            found += terms
        else:
            unmatchable.append(chunk[:MAX_WORD_CHARS])
    if len(found) > MAX_QUERY_WORDS:
        raise LimitExceeded(f"the search text has more than {MAX_QUERY_WORDS} words")
    unmatchable_terms = tuple(dict.fromkeys(unmatchable))
    if not found:
        return TextQuery((), None, unmatchable_terms)
    last, may_prefix = found[-1]
    open_end = may_prefix and not text[-1:].isspace()
    whole = tuple(dict.fromkeys(w for w, _ in (found[:-1] if open_end else found)))
    return TextQuery(whole, last if open_end else None, unmatchable_terms)


_TITLE_WORDS: dict[str, frozenset[str]] = {}
MAX_TITLES_REMEMBERED = 100_000


def _title_words(title: str) -> frozenset[str]:
    found = _TITLE_WORDS.get(title)
    if found is None:
        if len(_TITLE_WORDS) >= MAX_TITLES_REMEMBERED:
            _TITLE_WORDS.clear()
        found = _TITLE_WORDS[title] = frozenset(words(title))
    return found


def titled_proposals(text: TextQuery, proposals: Iterable[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """``{query word: ids of the proposals whose title holds it}`` for the words of
    ``text`` some title holds (the prefix: a title word starting with it), from
    ``(proposalId, title)`` pairs. A store ORs each word's proposals with the datasets
    having the word themselves."""
    return TitleIndex(proposals).titled(text)


class TitleIndex:
    """The title words of a set of proposals: which proposals' titles hold each word,
    so matching a query's words costs a lookup per word (a binary search for the
    prefix), not a pass over every title. Built from ``(proposalId, title)`` pairs;
    immutable (a store builds a new one when its proposals change)."""

    def __init__(self, proposals: Iterable[tuple[str, str]]):
        by_word: dict[str, list[str]] = {}
        for proposal_id, title in proposals:
            for word in _title_words(title or ""):
                by_word.setdefault(word, []).append(proposal_id)
        self._words = sorted(by_word)
        self._proposals = {word: tuple(sorted(set(ids))) for word, ids in by_word.items()}

    def __len__(self) -> int:
        return len(self._words)

    def titled(self, text: TextQuery, visible=None) -> dict[str, tuple[str, ...]]:
        """As :func:`titled_proposals`, for the proposals of this index that
        ``visible(proposalId)`` accepts (None: all)."""
        terms = [(w, False) for w in text.whole] + ([(text.prefix, True)] if text.prefix else [])
        if not terms or text.unmatchable:
            return {}
        found: dict[str, tuple[str, ...]] = {}
        for term, prefix in terms:
            if prefix:
                ids: set[str] = set()
                at = bisect.bisect_left(self._words, term)
                while at < len(self._words) and self._words[at].startswith(term):
                    ids.update(self._proposals[self._words[at]])
                    at += 1
                candidates = sorted(ids)
            else:
                candidates = self._proposals.get(term, ())
            if visible is not None:
                candidates = [p for p in candidates if visible(p)]
            if candidates:
                found[term] = tuple(candidates)
        return found


def dataset_text(doc: dict) -> str:
    """The searchable text of a dataset document: names, description, keywords, metadata.

    SciCat's v4 lists (``proposalIds``, ``sampleIds``) count like their v3 fields, and
    scientific metadata in every SciCat form gives its decoded names and string values
    (:func:`~beamhub.catalogue.scientific_metadata.text_parts`).
    """
    def strings(value) -> str:
        if isinstance(value, str):
            return value
        return " ".join(v for v in value if isinstance(v, str)) if isinstance(value, list) else ""

    parts = [
        strings(doc.get("datasetName")),
        strings(doc.get("description")),
        strings(doc.get("sampleId")),
        strings(doc.get("proposalId")),
        strings(doc.get("creationLocation")),
        strings(doc.get("keywords")),
        " ".join(t["name"] if isinstance(t, dict) and isinstance(t.get("name"), str) else t
                 for t in doc.get("techniques") or () if isinstance(t, (str, dict))
                 and not (isinstance(t, dict) and not isinstance(t.get("name"), str))),
        strings(doc.get("proposalIds")),
        strings(doc.get("sampleIds")),
    ]
    parts += text_parts(doc.get("scientificMetadata"))
    return " ".join(p for p in parts if p)


def dataset_words(doc: dict) -> list[str]:
    """The distinct words of a dataset, as stored by backends that index word lists."""
    return list(dict.fromkeys(words(dataset_text(doc))))
