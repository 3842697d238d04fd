from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackgroundConfig(AppConfig):
    """Background work: the worker command, site-wide periodic tasks and the jobs' pages in the admin."""

    name = "newsroom.background"
    label = "background"
    verbose_name = _("Фоновые задачи")

    def ready(self):
        from newsroom import metrics
        from newsroom.background.models import job_counts

        description = "Background jobs by queue and state (todo, doing, failed)."
        metrics.register_gauge("newsroom_tasks", description, job_counts, ["queue", "status"])
