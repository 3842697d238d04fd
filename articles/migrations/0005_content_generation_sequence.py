"""A sequence whose value is the public content's generation, shared by every process (see newsroom/page_cache.py)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_cover_dimensions")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS newsroom_content_generation",
            "DROP SEQUENCE IF EXISTS newsroom_content_generation",
        )
    ]
