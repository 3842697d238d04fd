"""A story's message in a Telegram channel, kept so that a correction edits it and a withdrawal deletes it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TelegramPost(models.Model):
    """The message the bot posted for one story in one chat (articles/telegram.py), and what it last showed."""

    # No constraint in the database, and nothing done on delete: a deleted story's row stays with its id until
    # the task worker has deleted the message from the channel.
    article = models.ForeignKey(
        "articles.Article",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="telegram_posts",
        verbose_name=_("материал"),
    )
    chat_id = models.CharField(_("канал"), max_length=100)
    message_id = models.BigIntegerField(_("номер сообщения"))
    photo_url = models.URLField(_("фото"), max_length=500, blank=True, help_text=_("Пусто — текстовое сообщение."))
    fingerprint = models.CharField(max_length=64, editable=False)
    posted_at = models.DateTimeField(_("опубликовано"), auto_now_add=True)
    edited_at = models.DateTimeField(_("исправлено"), null=True, blank=True)

    class Meta:
        ordering = ["posted_at", "id"]
        verbose_name = _("публикация в Telegram")
        verbose_name_plural = _("публикации в Telegram")
        constraints = [models.UniqueConstraint(fields=["article", "chat_id"], name="telegram_post_one_per_chat")]

    def __str__(self):
        return f"{self.chat_id} #{self.message_id}"

    @property
    def link(self):
        """The message's address for a public channel named @name (t.me/name/123); none for a numeric chat id."""
        if self.chat_id.startswith("@"):
            return f"https://t.me/{self.chat_id[1:]}/{self.message_id}"
        return ""
