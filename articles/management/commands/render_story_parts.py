"""Render the stored page parts of every story readers may see that is not current (articles/story_parts.py)."""

from django.core.management.base import BaseCommand

from articles import story_parts
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Отрисовывает заново сохранённые части страниц опубликованных материалов, которые устарели "
        "(после обновления шаблонов или изменений в обход приложения). Текущие не трогает."
    )

    def handle(self, *args, **options):
        ids = list(Article.objects.published().values_list("pk", flat=True))
        rendered = story_parts.store(ids)
        self.stdout.write(f"Материалов: {len(ids)}, отрисовано заново: {rendered}")
