"""What a move from another CMS leaves behind: which of its posts became which story, and its old addresses."""

from urllib.parse import unquote, urlsplit

from django.db import models
from django.utils.translation import gettext_lazy as _

OLD_PATH_MAX_LENGTH = 500


def old_path(url):
    """The path (with `?p=ID`, the one query an old address is known by) of `url`, percent-decoded, without host.

    Import and lookup both go through this: /новости/ and /%D0%BD%D0%BE…/ are one address.
    """
    parts = urlsplit(url.strip())
    path = unquote(parts.path or "/", errors="replace")
    query = parts.query
    if query.startswith("p=") and query[2:].isdigit():
        return f"{path}?{query}"
    return path


class ImportedPost(models.Model):
    """A post of an imported site and the story made of it: a second import of the same file skips it."""

    site = models.CharField(_("сайт"), max_length=200, help_text=_("Адрес сайта, с которого импортирован материал."))
    post_id = models.PositiveBigIntegerField(_("номер записи на старом сайте"))
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="imported_from", verbose_name=_("материал")
    )
    imported_at = models.DateTimeField(_("импортировано"), auto_now_add=True)

    class Meta:
        verbose_name = _("импортированная запись")
        verbose_name_plural = _("импортированные записи")
        constraints = [models.UniqueConstraint(fields=["site", "post_id"], name="imported_post_unique")]

    def __str__(self):
        return f"{self.site} #{self.post_id}"


class LegacyRedirect(models.Model):
    """An address of the old site that now leads to a story (a permanent redirect, articles/legacy_redirects.py).

    Made only by an import run by the site's administrators: nobody adds one in the admin, since a redirect
    from any path would let its author take over addresses of the site.
    """

    old_path = models.CharField(_("старый адрес"), max_length=OLD_PATH_MAX_LENGTH, unique=True)
    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="legacy_redirects", verbose_name=_("материал")
    )

    class Meta:
        verbose_name = _("старый адрес")
        verbose_name_plural = _("старые адреса")

    def __str__(self):
        return self.old_path
