"""The queue in the admin, for superusers only: a failed job's error may name people and their addresses."""

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from procrastinate import utils
from procrastinate.contrib.django import app

from newsroom.background.models import EVENT_TYPES, JOB_STATUSES, Job, JobEvent, Worker


def is_superuser(request):
    return request.user.is_active and request.user.is_superuser


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Read-only pages that only superusers see; everyone else gets 403, and no link to them."""

    def has_module_permission(self, request):
        return is_superuser(request)

    def has_view_permission(self, request, obj=None):
        return is_superuser(request)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StatusFilter(admin.SimpleListFilter):
    title = _("состояние")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(JOB_STATUSES.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TaskFilter(admin.AllValuesFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("задача")


class JobEventInline(admin.TabularInline):
    model = JobEvent
    fields = ["event", "when"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return is_superuser(request)

    @admin.display(description=_("событие"))
    def event(self, event):
        return EVENT_TYPES.get(event.type, event.type)

    @admin.display(description=_("когда"))
    def when(self, event):
        return event.at


@admin.register(Job)
class JobAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "task", "state", "tries", "scheduled", "queue"]
    list_filter = [StatusFilter, ("task_name", TaskFilter)]
    search_fields = ["task_name"]
    fields = ["id", "task", "state", "tries", "scheduled", "queue", "arguments"]
    readonly_fields = fields
    inlines = [JobEventInline]
    actions = ["retry"]

    @admin.display(description=_("задача"), ordering="task_name")
    def task(self, job):
        return job.task_name

    @admin.display(description=_("состояние"), ordering="status")
    def state(self, job):
        return JOB_STATUSES.get(job.status, job.status)

    @admin.display(description=_("попыток"), ordering="attempts")
    def tries(self, job):
        return job.attempts

    @admin.display(description=_("запланирована на"), ordering="scheduled_at")
    def scheduled(self, job):
        return job.scheduled_at or self.get_empty_value_display()  # the change page would show "None"

    @admin.display(description=_("очередь"), ordering="queue_name")
    def queue(self, job):
        return job.queue_name

    @admin.display(description=_("аргументы"))
    def arguments(self, job):
        return format_html("<pre>{}</pre>", json.dumps(job.args, ensure_ascii=False, indent=2))

    @admin.action(description=_("Повторить выбранные задачи с ошибкой"))
    def retry(self, request, queryset):
        failed = list(queryset.filter(status="failed"))
        for job in failed:
            app.job_manager.retry_job_by_id(job.id, utils.utcnow(), job.priority, job.queue_name, job.lock)
        message = gettext("Снова поставлено в очередь задач: %(count)s.") % {"count": len(failed)}
        self.message_user(request, message, messages.SUCCESS)


@admin.register(Worker)
class WorkerAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "heartbeat"]

    @admin.display(description=_("последний сигнал"), ordering="last_heartbeat")
    def heartbeat(self, worker):
        return worker.last_heartbeat
