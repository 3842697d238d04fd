"""The queue in the admin, for superusers only: job arguments hold people's e-mail addresses and messages."""

import json

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from procrastinate import utils
from procrastinate.contrib.django import app

from newsroom.background.models import EVENT_TYPES, JOB_STATUSES, Job, JobEvent, Worker


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Read-only pages that only superusers see; everyone else gets 403, and no link to them."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class JobEventInline(admin.TabularInline):
    model = JobEvent
    fields = ["event", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description=_("событие"))
    def event(self, obj):
        return EVENT_TYPES.get(obj.type, obj.type)


@admin.register(Job)
class JobAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "task_name", "state", "attempts", "scheduled_at", "queue_name"]
    list_filter = ["status", "task_name", "queue_name"]
    search_fields = ["task_name"]
    fields = ["id", "task_name", "state", "attempts", "scheduled_at", "queue_name", "arguments"]
    readonly_fields = fields
    inlines = [JobEventInline]
    actions = ["retry"]

    @admin.display(description=_("состояние"), ordering="status")
    def state(self, job):
        return JOB_STATUSES.get(job.status, job.status)

    @admin.display(description=_("аргументы"))
    def arguments(self, job):
        return format_html("<pre>{}</pre>", json.dumps(job.args, ensure_ascii=False, indent=2))

    @admin.action(description=_("Повторить выбранные задачи с ошибкой"))
    def retry(self, request, queryset):
        failed = list(queryset.filter(status="failed"))
        for job in failed:
            app.job_manager.retry_job_by_id(job.id, utils.utcnow(), job.priority, job.queue_name, job.lock)
        self.message_user(
            request,
            ngettext("Снова в очереди: %(count)s задача.", "Снова в очереди: %(count)s задач.", len(failed))
            % {"count": len(failed)},
            messages.SUCCESS,
        )


@admin.register(Worker)
class WorkerAdmin(SuperuserOnlyAdmin):
    list_display = ["id", "last_heartbeat"]
