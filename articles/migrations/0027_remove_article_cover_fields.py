"""The article's own cover columns go: migration 0026 moved every cover into the photo library."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0026_covers_into_library'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='article',
            name='cover_alt',
        ),
        migrations.RemoveField(
            model_name='article',
            name='cover_caption',
        ),
        migrations.RemoveField(
            model_name='article',
            name='cover_credit',
        ),
        migrations.RemoveField(
            model_name='article',
            name='cover_height',
        ),
        migrations.RemoveField(
            model_name='article',
            name='cover_image',
        ),
        migrations.RemoveField(
            model_name='article',
            name='cover_width',
        ),
    ]
