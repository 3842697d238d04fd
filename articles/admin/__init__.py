"""The editorial admin, one module per noun; importing them registers their ModelAdmins."""

from articles.admin import (  # noqa: F401
    article,
    audit,
    authors,
    corrections,
    desks,
    front_page,
    legacy,
    photos,
    readership,
    sections,
    tags,
)
