"""The marks that stop a visitor's view or share from being counted twice."""

from django.db import connections, models


class CounterMarkQuerySet(models.QuerySet):
    def claim(self, *, article_id, kind, visitor, address, now, once_per, address_limit):
        """Mark one counted event and say whether it counts, in one statement shared by every process.

        It counts when this visitor has no mark for the story younger than `once_per` and their address has
        fewer than `address_limit` marks younger than that. On a conflict PostgreSQL waits for the other
        statement's row, so two workers never both count the same visitor. (The selected values are cast: the
        server binds the parameters, and one of them is also compared with a column.)
        """
        table = self.model._meta.db_table
        sql = f"""
            INSERT INTO {table} (article_id, kind, visitor, address, counted_at)
            SELECT %(article)s::bigint, %(kind)s::varchar, %(visitor)s::varchar, %(address)s::varchar,
                %(now)s::timestamptz
            WHERE (
                SELECT count(*) FROM (
                    SELECT 1 FROM {table} WHERE address = %(address)s AND counted_at > %(since)s LIMIT %(limit)s
                ) AS recent
            ) < %(limit)s
            ON CONFLICT (article_id, kind, visitor) DO UPDATE
                SET counted_at = EXCLUDED.counted_at, address = EXCLUDED.address
                WHERE {table}.counted_at <= %(since)s
            RETURNING id
        """
        params = {
            "article": article_id,
            "kind": kind,
            "visitor": visitor,
            "address": address,
            "now": now,
            "since": now - once_per,
            "limit": address_limit,
        }
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return row[0] if row else None

    def expired(self, now, once_per):
        return self.filter(counted_at__lte=now - once_per)


class CounterMark(models.Model):
    """A visitor's view or share of a story that was counted; it stops a second count for a while."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=5)
    # Keyed hashes (django.utils.crypto.salted_hmac): no address is stored.
    visitor = models.CharField(max_length=32)
    address = models.CharField(max_length=32)
    counted_at = models.DateTimeField()

    objects = CounterMarkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "kind", "visitor"], name="counter_mark_once_per_visitor")
        ]
        indexes = [
            models.Index(fields=["address", "counted_at"], name="counter_mark_address_idx"),
            models.Index(fields=["counted_at"], name="counter_mark_age_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.article_id} {self.counted_at:%d.%m.%Y %H:%M}"
