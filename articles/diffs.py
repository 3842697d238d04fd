"""What changed between two versions of a text: its words, and in rich text their formatting and link targets.

A rich text is read as a list of words, each with its formatting (bold, italic, heading, list, quotation, table…)
and the link or picture it belongs to. Words added or removed show as <del> and <ins>; words that stayed but
changed formatting or link target are marked and followed by a note saying how («стало: жирный», «ссылка: A → B»).
Everything shown is text of the versions, escaped: the stored HTML itself is never put on the page.
"""

import difflib
import re
from html.parser import HTMLParser
from typing import NamedTuple

from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The formatting a reader sees, by the tag that gives it (the sanitiser's allow-list, articles/sanitize.py), in
# the order the notes name them.
FORMATS = {
    "strong": gettext_lazy("жирный"),
    "em": gettext_lazy("курсив"),
    "u": gettext_lazy("подчёркнутый"),
    "s": gettext_lazy("зачёркнутый"),
    "sub": gettext_lazy("нижний индекс"),
    "sup": gettext_lazy("верхний индекс"),
    "h2": gettext_lazy("заголовок 2"),
    "h3": gettext_lazy("заголовок 3"),
    "h4": gettext_lazy("заголовок 4"),
    "ul": gettext_lazy("список"),
    "ol": gettext_lazy("нумерованный список"),
    "blockquote": gettext_lazy("цитата"),
    "table": gettext_lazy("таблица"),
    "figcaption": gettext_lazy("подпись"),
}
SAME_FORMAT = {"b": "strong", "i": "em", "caption": "table"}
# Tags whose start or end separates words even when no space is typed between them.
BLOCKS = {"p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "figure", "figcaption", "img"}
BLOCKS |= {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"}
VOID = {"br", "hr", "img"}


class Word(NamedTuple):
    text: str
    space: str  # what follows the word: " " or ""
    formats: frozenset = frozenset()
    link: str = ""
    image: str = ""  # the address of the picture this «word» stands for

    @property
    def key(self):
        """What must be equal for a word to count as unchanged: everything but the space after it."""
        return self.text, self.formats, self.link, self.image


class RichTextWords(HTMLParser):
    """Read rich text into Words; tolerant of unbalanced tags (an end tag closes up to its start tag)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words, self.open, self.links = [], [], []

    def handle_starttag(self, tag, attrs):
        self.separate(tag)
        attributes = dict(attrs)
        if tag == "img":
            label = _("[изображение: %(alt)s]") % {"alt": attributes.get("alt") or "—"}
            self.words.append(Word(label, " ", self.formats(), self.link(), attributes.get("src") or ""))
        elif tag not in VOID:
            self.open.append(tag)
            self.links.append((attributes.get("href") or "") if tag == "a" else None)

    def handle_endtag(self, tag):
        self.separate(tag)
        if tag in self.open:
            position = len(self.open) - 1 - self.open[::-1].index(tag)
            del self.open[position:], self.links[position:]

    def handle_data(self, data):
        if self.cdata_elem:  # a script's or style's content, which the sanitiser drops with them, is no text
            return
        for piece in re.findall(r"\s+|\S+", data):
            if piece.isspace():
                self.separate("")
            else:
                self.words.append(Word(piece, "", self.formats(), self.link()))

    def separate(self, tag):
        if self.words and not self.words[-1].space and (not tag or tag in BLOCKS):
            self.words[-1] = self.words[-1]._replace(space=" ")

    def formats(self):
        return frozenset(SAME_FORMAT.get(tag, tag) for tag in self.open if SAME_FORMAT.get(tag, tag) in FORMATS)

    def link(self):
        return next((href for href in reversed(self.links) if href is not None), "")


def words(value, *, rich) -> list[Word]:
    """The words of `value`: rich text (HTML) read with their formatting, or plain text as it is."""
    text = str(value or "")
    if not rich:
        return [Word(piece, " ") for piece in text.split()]
    reader = RichTextWords()
    reader.feed(text)
    reader.close()
    return reader.words


def word_diff(old, new, *, rich=True) -> str:
    """A readable diff of two texts: <del> removed words, <ins> added ones, and marked words whose formatting or
    link target changed, with a note saying how; every piece of text is escaped."""
    old_words, new_words = words(old, rich=rich), words(new, rich=rich)
    parts = []
    matcher = difflib.SequenceMatcher(a=[w.key for w in old_words], b=[w.key for w in new_words], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(spoken(old_words[a1:a2])))
        else:
            parts.extend(changes(old_words[a1:a2], new_words[b1:b2]))
    return mark_safe("".join(parts).rstrip())  # noqa: S308 (every piece is escaped or built by format_html)


def changes(old_words, new_words):
    """The pieces of a changed stretch: words kept with other formatting, and words removed and added."""
    matcher = difflib.SequenceMatcher(a=[w.text for w in old_words], b=[w.text for w in new_words], autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            yield from restyled(old_words[a1:a2], new_words[b1:b2])
            continue
        if op == "replace" and spoken(old_words[a1:a2]).strip() == spoken(new_words[b1:b2]).strip():
            # The same letters, part of a word formatted («сло<strong>во</strong>»): one word, with all of them.
            yield marked([(merged(old_words[a1:a2]), merged(new_words[b1:b2]))])
            continue
        if op in ("delete", "replace"):
            yield format_html("<del>{}</del>", spoken(old_words[a1:a2]))
        if op in ("insert", "replace"):
            yield format_html("<ins>{}</ins>", spoken(new_words[b1:b2]))


def restyled(old_words, new_words):
    """The same words, in runs that share one change of formatting, each run marked and followed by its note."""
    run = []
    for old, new in zip(old_words, new_words, strict=True):
        if run and note(run[-1]) != note((old, new)):
            yield marked(run)
            run = []
        run.append((old, new))
    if run:
        yield marked(run)


def merged(words) -> Word:
    """Words as one, with every formatting, link and picture any of them has."""
    return Word(
        spoken(words).rstrip(),
        words[-1].space,
        frozenset().union(*(word.formats for word in words)),
        next((word.link for word in words if word.link), ""),
        next((word.image for word in words if word.image), ""),
    )


def marked(run):
    text = spoken([new for _old, new in run])
    described = note(run[0])
    if not described:
        return escape(text)
    space = " " if text.endswith(" ") else ""
    return format_html('<mark class="diff-format">{}</mark> <small class="diff-note">({})</small>{}',
                       text.rstrip(), described, space)  # fmt: skip


def note(pair) -> str:
    """How the formatting and targets of one word changed, as the newsroom says it; "" if they did not."""
    old, new = pair
    said = []
    added = [str(label) for name, label in FORMATS.items() if name in new.formats - old.formats]
    removed = [str(label) for name, label in FORMATS.items() if name in old.formats - new.formats]
    if added:
        said.append(_("стало: %(formats)s") % {"formats": ", ".join(added)})
    if removed:
        said.append(_("снято: %(formats)s") % {"formats": ", ".join(removed)})
    if old.link != new.link:
        if not old.link:
            said.append(_("ссылка добавлена: %(new)s") % {"new": new.link})
        elif not new.link:
            said.append(_("ссылка убрана: %(old)s") % {"old": old.link})
        else:
            said.append(_("ссылка: %(old)s → %(new)s") % {"old": old.link, "new": new.link})
    if old.image != new.image:
        said.append(_("адрес изображения: %(old)s → %(new)s") % {"old": old.image or "—", "new": new.image or "—"})
    return "; ".join(said)


def spoken(words) -> str:
    return "".join(word.text + word.space for word in words)
