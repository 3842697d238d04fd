"""ASCII slugs made from a title or a name, unique among a model's rows (stories, author profiles)."""

from slugify import slugify


def unique_slug(others, text, max_length, fallback):
    """An ASCII transliteration of `text`, suffixed with -2, -3… while one of `others` (a queryset) has it."""
    base = slugify(text, max_length=max_length - 8, word_boundary=True) or fallback
    candidate, number = base, 2
    while others.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate
