"""Search that finds the book's subjects under British and American spellings (book/_ext/search_spelling.py).

The book writes "normalisation"; a reader searches "normalization". Sphinx's English search stems both words
(in Python for the index, in JavaScript for the query), and Porter's stemmer keeps them apart. Both sides here
first rewrite a word to one spelling (``-isation`` -> ``-ization``, ``-ise`` -> ``-ize`` and their forms, and a
few words such as "colour"), so that either spelling finds the page. The rules are in one table, used by the
Python index and, translated, by the JavaScript query.
"""
from __future__ import annotations

import json

from sphinx.search.en import SearchEnglish

#: Suffix rules (British -> American), applied to words longer than 5 letters ("noise", "raise" stay).
SUFFIXES = [("isations", "izations"), ("isation", "ization"), ("ising", "izing"), ("ised", "ized"),
            ("ises", "izes"), ("ise", "ize"), ("yses", "yzes"), ("yse", "yze"), ("ysing", "yzing"),
            ("elling", "eling"), ("elled", "eled")]
#: Whole words.
WORDS = {"colour": "color", "colours": "colors", "behaviour": "behavior", "behaviours": "behaviors",
         "neighbour": "neighbor", "neighbours": "neighbors", "neighbourhood": "neighborhood", "centre": "center",
         "centres": "centers", "modelling": "modeling", "labelled": "labeled", "labelling": "labeling",
         "favour": "favor", "optimiser": "optimizer", "optimisers": "optimizers", "regulariser": "regularizer",
         "generalise": "generalize", "analogue": "analog"}


def american(word: str) -> str:
    """One spelling for both: the American form of a British word, other words unchanged (lower case)."""
    word = word.lower()
    if word in WORDS:
        return WORDS[word]
    if len(word) > 5:
        for british, us in SUFFIXES:
            if word.endswith(british):
                return word[: -len(british)] + us
    return word


JS_AMERICAN = """
/* kan_edu: British and American spellings stem alike (book/_ext/search_spelling.py). */
;(function () {
  var WORDS = %s, SUFFIXES = %s, Porter = Stemmer;
  function american(w) {
    w = w.toLowerCase();
    if (Object.prototype.hasOwnProperty.call(WORDS, w)) return WORDS[w];
    if (w.length > 5) for (var i = 0; i < SUFFIXES.length; i++) {
      var b = SUFFIXES[i][0];
      if (w.slice(-b.length) === b) return w.slice(0, -b.length) + SUFFIXES[i][1];
    }
    return w;
  }
  Stemmer = function () { var p = new Porter(); this.stemWord = function (w) { return p.stemWord(american(w)); }; };
})();
""" % (json.dumps(WORDS), json.dumps(SUFFIXES))


class SearchBothSpellings(SearchEnglish):
    """English search whose stemmer first maps British spellings to American ones (index and query alike)."""

    js_stemmer_code = SearchEnglish.js_stemmer_code + JS_AMERICAN

    def stem(self, word: str) -> str:
        return super().stem(american(word))



def setup(app):
    import sphinx.search

    sphinx.search.languages["en"] = SearchBothSpellings
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
