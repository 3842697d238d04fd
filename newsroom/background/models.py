"""The queue's jobs, workers and events as the admin shows them: procrastinate's tables, named in Russian.

Proxies only: the tables are procrastinate's own, made by its migrations.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob, ProcrastinateWorker

JOB_STATUSES = {
    "todo": _("в очереди"),
    "doing": _("выполняется"),
    "succeeded": _("выполнена"),
    "failed": _("ошибка"),
    "cancelled": _("отменена"),
    "aborted": _("прервана"),
}
EVENT_TYPES = {
    "deferred": _("поставлена в очередь"),
    "started": _("начата"),
    "deferred_for_retry": _("отложена до новой попытки"),
    "failed": _("ошибка"),
    "succeeded": _("выполнена"),
    "cancelled": _("отменена"),
    "abort_requested": _("запрошено прерывание"),
    "aborted": _("прервана"),
    "scheduled": _("запланирована"),
    "retried": _("повторена вручную"),
}


class Job(ProcrastinateJob):
    class Meta:
        proxy = True
        ordering = ["-id"]
        verbose_name = _("фоновая задача")
        verbose_name_plural = _("фоновые задачи")

    def __str__(self):
        return f"{self.task_name} #{self.pk}"


class JobEvent(ProcrastinateEvent):
    class Meta:
        proxy = True
        ordering = ["at", "id"]
        verbose_name = _("событие задачи")
        verbose_name_plural = _("события задачи")

    def __str__(self):
        return f"{EVENT_TYPES.get(self.type, self.type)} {self.at:%d.%m.%Y %H:%M:%S}"


class Worker(ProcrastinateWorker):
    class Meta:
        proxy = True
        ordering = ["-last_heartbeat"]
        verbose_name = _("обработчик задач")
        verbose_name_plural = _("обработчики задач")

    def __str__(self):
        return f"#{self.pk}"


# The states an operator watches: depth (waiting), work in hand, and failures that need a look.
WATCHED_STATUSES = ("todo", "doing", "failed")


def job_counts():
    """{(queue, status): jobs} in the watched states, zeros included for every queue the table holds, for /metrics."""
    rows = ProcrastinateJob.objects.values_list("queue_name", "status").annotate(jobs=Count("id")).order_by()
    counts = {}
    for queue, status, jobs in rows:
        for watched in WATCHED_STATUSES:
            counts.setdefault((queue, watched), 0)
        if status in WATCHED_STATUSES:
            counts[queue, status] = jobs
    return counts
