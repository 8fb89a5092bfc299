"""Bibliography labels in the text's own style (book/_ext/author_year.py).

The chapters cite author-year ("Prince, 2023"), but sphinxcontrib-bibtex's default style labels the
bibliography alphabetically ("[Pri23]", and "[DVelivckovicB+21]" where a name has an accent). This pybtex style
labels each entry "Prince 2023", "Barrett & Dherin 2021" or "Baydin et al. 2018", with accents decoded, and
sorts the list by author, year and title. ``_config.yml`` selects it (``bibtex_default_style``).
"""
from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person) -> str:
    latex = " ".join(person.prelast_names + person.last_names)
    return str(Text.from_latex(latex).render_as("text")).replace("{", "").replace("}", "")


class AuthorYearLabels(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        seen: dict[str, int] = {}
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [_surname(p) for p in people]
            who = (
                "Anonymous"
                if not names
                else names[0]
                if len(names) == 1
                else f"{names[0]} & {names[1]}"
                if len(names) == 2
                else f"{names[0]} et al."
            )
            label = f"{who} {entry.fields.get('year', 'n.d.')}"
            seen[label] = seen.get(label, 0) + 1
            # two works of the same authors and year: 2021, 2021b, ...
            yield label if seen[label] == 1 else f"{label}{chr(ord('a') + seen[label] - 1)}"


class AuthorYearStyle(UnsrtStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.formatting", "kan_edu_author_year", AuthorYearStyle)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
