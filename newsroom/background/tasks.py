"""Site-wide periodic work of the task worker: orphaned uploads and the queue's own finished jobs."""

from django.conf import settings
from procrastinate.contrib.django import app

from newsroom.background import orphaned_uploads


@app.periodic(cron="30 3 * * *", periodic_id="orphaned-uploads")
@app.task(name="newsroom.remove_orphaned_uploads")
def remove_orphaned_uploads(timestamp=None):
    """Delete replaced and unused uploads past their grace period; what any row names stays."""
    sweep = orphaned_uploads.remove_orphaned_uploads()
    return {"removed": len(sweep.removed), "kept": sweep.kept}


@app.periodic(cron="45 3 * * *", periodic_id="old-jobs")
@app.task(name="newsroom.remove_old_jobs", pass_context=True)
async def remove_old_jobs(context, timestamp=None):
    """Forget succeeded jobs after NEWSROOM_JOB_RETENTION_DAYS; failed ones stay for a superuser to look at."""
    await context.app.job_manager.delete_old_jobs(nb_hours=settings.NEWSROOM_JOB_RETENTION_DAYS * 24)
