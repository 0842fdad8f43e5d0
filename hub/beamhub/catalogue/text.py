"""Free-text search terms, shared by every store so they give the same answers.

Text is folded to lower-case ASCII where it can be (accents removed) and split on
anything that is not a letter or digit: ``"Lysozyme_001 at 100K"`` gives
``["lysozyme", "001", "at", "100k"]``. A query matches a dataset when every query word
appears among the dataset's words; the last query word also matches as a prefix unless
the query ends with a space, so results can follow the user's typing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import LimitExceeded
from .scientific_metadata import text_parts

MAX_QUERY_CHARS = 256
MAX_QUERY_WORDS = 16
MAX_WORD_CHARS = 64

_SPLIT = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, accents removed (``"Müller"`` -> ``"muller"``)."""
    if text.isascii():  # nothing to decompose: the common case, ten times faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text, in order, duplicates kept, each cut to 64 characters."""
    return [w[:MAX_WORD_CHARS] for w in _SPLIT.split(fold(text)) if w]


@dataclass(frozen=True)
class TextQuery:
    """A parsed free-text query: whole words plus an optional final prefix."""

    whole: tuple[str, ...]
    prefix: str | None

    @property
    def empty(self) -> bool:
        return not self.whole and not self.prefix


def parse_text_query(text: str) -> TextQuery:
    """Parse a free-text query (see the module's docstring for the rules)."""
    if len(text) > MAX_QUERY_CHARS:
        raise LimitExceeded(f"the search text is longer than {MAX_QUERY_CHARS} characters")
    found = words(text)
    if len(found) > MAX_QUERY_WORDS:
        raise LimitExceeded(f"the search text has more than {MAX_QUERY_WORDS} words")
    if not found:
        return TextQuery((), None)
    ends_open = not text[-1:].isspace()
    whole = tuple(dict.fromkeys(found[:-1] if ends_open else found))
    return TextQuery(whole, found[-1] if ends_open else None)


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
