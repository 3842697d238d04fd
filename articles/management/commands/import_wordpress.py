"""Import a WordPress export (WXR): posts with their dates, authors, categories, tags and photos; old addresses
redirect to the new stories. Idempotent; a broken file imports nothing (articles/wordpress_import.py)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from articles import wordpress
from articles.wordpress_import import Importer


class Command(BaseCommand):
    help = "Import posts from a WordPress export (Tools → Export → All content) with their photos."

    def add_arguments(self, parser):
        parser.add_argument("export", help="The WXR file (export.xml) WordPress wrote.")
        parser.add_argument("--media", help="The old site's wp-content/uploads folder (YYYY/MM/name.jpg inside).")
        parser.add_argument(
            "--by",
            help="The moderator or superuser recorded as publishing the stories (default: the first superuser).",
        )

    def handle(self, *args, export, media=None, by=None, **options):
        if media and not Path(media).is_dir():
            raise CommandError(_("Нет папки с файлами сайта: %(path)s.") % {"path": media})
        publisher = self.publisher(by)
        try:
            data = wordpress.read_export(export)
        except wordpress.ExportError as error:
            raise CommandError(_("Ничего не импортировано: %(error)s") % {"error": error}) from error
        with transaction.atomic():
            report = Importer(data, media, publisher).run()
        self.write(report)

    def publisher(self, username):
        User = get_user_model()
        users = User.objects.filter(is_active=True)
        user = users.filter(username=username).first() if username else users.filter(is_superuser=True).first()
        if user is None or not (user.is_superuser or user.has_perm("articles.publish_article")):
            raise CommandError(
                _("Нужен активный модератор или суперпользователь, который опубликует материалы: укажите --by.")
            )
        return user

    def write(self, report):
        counts = report.imported
        summary = _(
            "Импортировано: %(count)s (опубликовано: %(published)s, черновиков: %(draft)s, "
            "запланировано: %(scheduled)s)."
        )
        self.stdout.write(summary % {"count": sum(counts.values()), **counts})
        self.stdout.write(_("Уже импортировано: %(count)s, не изменено.") % {"count": report.already})
        if report.users_created:
            self.stdout.write(
                _("Новые авторы (без доступа к редакции): %(names)s.") % {"names": ", ".join(report.users_created)}
            )
        for title, items in [
            (_("Пропущено: %(count)s"), report.skipped),
            (_("Нет файлов: %(count)s"), report.missing_files),
            (_("Замечания: %(count)s"), report.notes),
        ]:
            if items:
                self.stdout.write(title % {"count": len(items)})
                for post, text in items:
                    self.stdout.write(f"  — {post}: {text}")
