"""Regional desks, the default desk for stories without one, and the Chief editors group that holds every desk."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

DESK_PERMISSIONS = [
    "add_desk", "change_desk", "delete_desk", "view_desk", "oversee_desk",
    "add_deskregion", "change_deskregion", "delete_deskregion", "view_deskregion",
]


def create_desks(apps, schema_editor):
    # Permissions are normally created after all migrations; the desk's do not exist yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    desk_permissions = Permission.objects.filter(content_type__app_label="articles", codename__in=DESK_PERMISSIONS)
    moderators = Group.objects.filter(name="Moderators").first()
    moderator_permissions = list(moderators.permissions.all()) if moderators else []
    if moderators:
        moderators.permissions.add(*desk_permissions.filter(codename__in=["view_desk", "view_deskregion"]))
    # A chief editor does what a moderator does, on every desk, and sets the desks up.
    chiefs, _ = Group.objects.get_or_create(name="Chief editors")
    chiefs.permissions.add(*moderator_permissions, *desk_permissions)
    # Stories without a region, and of regions no desk covers, have a desk from the start.
    apps.get_model("articles", "Desk").objects.get_or_create(name="Республиканский отдел", defaults={"is_default": True})


def remove_desks(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Chief editors").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0014_story_parts'),
        ('regions', '0002_reference_data'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Desk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='название')),
                ('is_default', models.BooleanField(default=False, help_text='Сюда попадают материалы без региона и материалы регионов, не закреплённых ни за одним отделом. Такой отдел может быть только один.', verbose_name='отдел по умолчанию')),
                ('members', models.ManyToManyField(blank=True, help_text='Модераторы отдела одобряют, публикуют и снимают с публикации только его материалы, видят его очередь и получают его письма. Пока ни в одном отделе нет ни одного человека, каждый модератор работает со всеми материалами.', limit_choices_to={'is_staff': True}, related_name='desks', to=settings.AUTH_USER_MODEL, verbose_name='модераторы')),
            ],
            options={
                'verbose_name': 'отдел',
                'verbose_name_plural': 'отделы',
                'ordering': ['-is_default', 'name'],
                'permissions': [('oversee_desk', 'Работает со всеми отделами (главный редактор)')],
            },
        ),
        migrations.CreateModel(
            name='DeskRegion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('desk', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coverage', to='articles.desk', verbose_name='отдел')),
                ('region', models.OneToOneField(error_messages={'unique': 'Этот регион уже закреплён за другим отделом.'}, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='regions.region', verbose_name='регион')),
            ],
            options={
                'verbose_name': 'регион отдела',
                'verbose_name_plural': 'регионы отдела',
                'ordering': ['region__name'],
            },
        ),
        migrations.AddField(
            model_name='desk',
            name='regions',
            field=models.ManyToManyField(blank=True, related_name='+', through='articles.DeskRegion', to='regions.region', verbose_name='регионы'),
        ),
        migrations.AddConstraint(
            model_name='desk',
            constraint=models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='desk_one_default', violation_error_message='Отдел по умолчанию уже есть. Сначала снимите эту отметку у него, затем поставьте здесь.'),
        ),
        migrations.RunPython(create_desks, remove_desks),
    ]
