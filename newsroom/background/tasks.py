"""Site-wide work of the task worker: edge purges, orphaned uploads and the queue's own stalled and finished jobs."""

from django.conf import settings
from procrastinate import RetryDecision, RetryStrategy
from procrastinate.contrib.django import app

from newsroom import edge
from newsroom.background import orphaned_uploads
from newsroom.edge import EdgeUnavailable


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


# A worker beats every 10 seconds: one silent for this long was killed (out of memory, power, a stop that
# timed out) and its started jobs would stay «выполняется» for ever, the e-mail among them never sent.
STALLED_AFTER_SECONDS = 60


@app.periodic(cron="*/5 * * * *", periodic_id="stalled-jobs")
@app.task(name="newsroom.retry_stalled_jobs", queueing_lock="newsroom.retry_stalled_jobs", pass_context=True)
async def retry_stalled_jobs(context, timestamp=None):
    """Put the jobs of a worker that died mid-job back in the queue."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=STALLED_AFTER_SECONDS))
    for job in stalled:
        await manager.retry_job(job)
    return len(stalled)


class EdgePurgeRetry(RetryStrategy):
    """Waits of 0.2, 0.4, 0.8 … seconds, then every 30 seconds, for a day: a purge is retried until the edge confirms.

    An edge that does not confirm may be showing a withdrawn story: short waits first, so a blip costs under a second.
    """

    def get_retry_decision(self, *, exception, job):
        if super().get_retry_decision(exception=exception, job=job) is None:
            return None
        # 0.2 s doubled up to the longest wait (an exponent past 8 would only overflow on the way).
        return RetryDecision(retry_in={"seconds": min(EDGE_PURGE_LONGEST_WAIT, 0.2 * 2 ** min(job.attempts, 8))})


EDGE_PURGE_LONGEST_WAIT = 30


@app.task(
    name=edge.PURGE_TASK,
    queue=edge.PURGE_QUEUE,
    retry=EdgePurgeRetry(max_attempts=3000, retry_exceptions={EdgeUnavailable}),
)
def purge_edge(keys, lists=(), again=True):
    """Purge `keys` for good and `lists` softly at every edge (newsroom/edge.py), and once more a moment later.

    The second removes what a request rendering during the first stored with what it had read before the change.
    """
    edge.purge(keys, lists)
    if again:
        again_later = purge_edge.configure(schedule_in={"seconds": edge.PURGE_AGAIN_AFTER_SECONDS})
        again_later.defer(keys=keys, lists=lists, again=False)
