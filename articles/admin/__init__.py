"""The editorial admin, one module per noun; importing them registers their ModelAdmins."""

from articles.admin import article, audit, authors, corrections, desks, front_page, readership, sections, tags  # noqa: F401
