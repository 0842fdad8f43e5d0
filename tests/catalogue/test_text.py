"""Search words in every script: Unicode word boundaries, case folding, and query terms
that cannot match (catalogue/text.py).

The samples are Article 1 of the Universal Declaration of Human Rights in one translation
per script (``udhr_article1.json`` says where they came from): 40 scripts, from Latin,
Cyrillic and Arabic to Adlam, Cherokee, Tai Tham and Yi.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import regex

from beamhub.catalogue.errors import LimitExceeded
from beamhub.catalogue.text import MAX_QUERY_WORDS, fold, parse_text_query, words

SAMPLES = json.loads((Path(__file__).parent / "udhr_article1.json").read_text(encoding="utf-8"))["samples"]
BY_SCRIPT = {sample["script"]: sample for sample in SAMPLES}
UNSPACED = {"Hani", "Hira", "Java", "Khmr", "Lana", "Laoo", "Mymr", "Tavt", "Thai", "Tibt", "Yiii"}
"""Scripts of the samples written without spaces between words."""


def matches(text: str, query: str) -> bool:
    """The stores' rule over one text: every whole word among its words, one word with the prefix."""
    have = set(words(text))
    parsed = parse_text_query(query)
    if parsed.unmatchable:
        return False
    return set(parsed.whole) <= have and (parsed.prefix is None or any(w.startswith(parsed.prefix) for w in have))


def test_the_samples_cover_forty_scripts():
    assert len(BY_SCRIPT) == len(SAMPLES) >= 40
    assert {"Latn", "Cyrl", "Grek", "Arab", "Hebr", "Deva", "Hani", "Hira", "Hang", "Thai", "Ethi"} <= set(BY_SCRIPT)


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["script"] for s in SAMPLES])
def test_every_letter_of_every_script_is_in_a_word(sample):
    text = sample["article1"]
    found = words(text)
    assert found, sample["name"]
    folded = fold(text)
    letters = {c for c in folded if unicodedata.category(c)[0] in "LN"}
    assert letters <= set("".join(found)), f"{sample['name']}: letters dropped"
    for word in found:  # no spaces or punctuation inside a word, and every word folded
        assert not regex.search(r"[\s\p{P}]", word), (sample["name"], word)
        assert fold(word) == word


@pytest.mark.parametrize("sample", [s for s in SAMPLES if s["script"] not in UNSPACED],
                         ids=[s["script"] for s in SAMPLES if s["script"] not in UNSPACED])
def test_spaced_scripts_split_at_spaces_and_punctuation(sample):
    text = sample["article1"]
    chunks = [c for c in regex.split(r"[\s\p{P}]+", fold(text)) if c]
    assert words(text) == [c for c in chunks if regex.search(r"[\p{L}\p{N}]", c)]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s["script"] for s in SAMPLES])
def test_a_word_of_each_sample_finds_it_and_no_other_script(sample):
    """A query made of a piece of the text, as a user would paste it, finds the text, in
    whole words and as the prefix being typed, in upper case too; texts in other scripts
    do not match."""
    text = sample["article1"]
    if sample["script"] in UNSPACED:
        run = regex.search(r"(?:(?=[\p{L}\p{M}])\X){3,}", text)[0]
        graphemes = regex.findall(r"\X", run)
        query = "".join(graphemes[:3])
        queries = [query, query + " "]
    else:
        word = max(regex.findall(r"[\p{L}\p{M}\p{N}\u200c\u200d]+", text), key=len)
        queries = [word + " ", word, word[: max(2, len(word) // 2)], word.upper() + " "]
    for query in queries:
        assert matches(text, query), (sample["name"], query)
        others = [s for s in SAMPLES if s["script"] != sample["script"]]
        assert not any(matches(other["article1"], query) for other in others), (sample["name"], query)


def test_unspaced_scripts_keep_the_order_of_characters():
    text = "溶菌酶晶体的结构"
    assert matches(text, "溶菌酶")
    assert matches(text, "晶体")
    assert matches(text, "酶")
    assert not matches(text, "酶溶菌")  # the same characters, another word
    assert not matches(text, "溶酶")
    assert words("溶菌") == ["溶", "菌", "溶菌"]


@pytest.mark.parametrize("text, expected", [
    ("Lysozyme_001 at 100K", ["lysozyme", "001", "at", "100k"]),
    ("Müller", ["muller"]),
    ("STRASSE Straße", ["strasse", "strasse"]),
    ("ＬＹＳＯ１２", ["lyso12"]),                   # full-width forms
    ("Ὀδυσσεύς ΟΔΥΣΣΕΥΣ", ["οδυσσευσ", "οδυσσευσ"]),  # Greek accents and final sigma folded
    ("Лизоцим ЛИЗОЦИМ", ["лизоцим", "лизоцим"]),
    ("йод", ["йод"]),                               # й is a letter of its own, not и
    ("हिन्दी", ["हिन्दी"]),                         # vowel signs and virama stay in the word
    ("می‌خواهم", ["میخواهم"]),                     # zero-width non-joiner dropped
    ("🧪 sample 👍🏽", ["🧪", "sample", "👍🏽"]),     # a symbol is a word, with its modifier
    ("\\ * -- ... «»", []),
])
def test_words(text, expected):
    assert words(text) == expected


@pytest.mark.parametrize("text, whole, prefix, unmatchable", [
    ("лизоцим", (), "лизоцим", ()),
    ("лизоцим ", ("лизоцим",), None, ()),
    ("thaumatin лизоцим", ("thaumatin",), "лизоцим", ()),
    ("溶菌酶", ("溶菌", "菌酶"), None, ()),          # bigrams, never a prefix
    ("🧪", ("🧪",), None, ()),
    ("\\", (), None, ("\\",)),
    ("*", (), None, ("*",)),
    ("lyso *", (), "lyso", ("*",)),
    ("  ", (), None, ()),
])
def test_parse_text_query(text, whole, prefix, unmatchable):
    parsed = parse_text_query(text)
    assert (parsed.whole, parsed.prefix, parsed.unmatchable) == (whole, prefix, unmatchable)
    assert parsed.empty == (not text.strip())


def test_unspaced_query_words_count_towards_the_limit():
    with pytest.raises(LimitExceeded):
        parse_text_query("溶" * (MAX_QUERY_WORDS + 2))


def test_titled_proposals_name_each_query_word_the_titles_hold():
    from beamhub.catalogue.text import titled_proposals

    titles = [("p1", "Silica nanoparticle growth in situ"), ("p2", "Nanoparticle catalysts"), ("p3", None),
              ("p4", "Лизоцим при 100 K"), ("p5", "溶菌酶晶体")]

    def found(text):
        return titled_proposals(parse_text_query(text), titles)

    assert found("nanoparticle ") == {"nanoparticle": ("p1", "p2")}     # a whole word, folded
    assert found("silica nanopart") == {"silica": ("p1",), "nanopart": ("p1", "p2")}  # the last word: a prefix
    assert found("nanopart ") == {}                                     # ...not once a space follows
    assert found("лизоцим") == {"лизоцим": ("p4",)} and found("溶菌酶") == {"溶菌": ("p5",), "菌酶": ("p5",)}
    assert found("silica \\") == {} and found("") == {}                 # a term with no word matches nothing
    assert found("growth lysozyme") == {"growth": ("p1",)}              # words no title holds are left out
