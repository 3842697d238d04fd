"""Create the Journalists and Moderators groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

JOURNALIST_PERMISSIONS = [
    "articles.add_article",
    "articles.change_article",
    "articles.delete_article",
    "articles.view_article",
    "articles.view_articlerevision",
    "articles.view_workflowevent",
    "articles.view_section",
    "taggit.add_tag",
    "taggit.view_tag",
    "regions.view_region",
    "regions.view_district",
    "regions.view_city",
    "parties.view_party",
    "parties.view_primaryorganisation",
    "parties.view_partyproject",
]

MODERATOR_PERMISSIONS = JOURNALIST_PERMISSIONS + [
    "articles.publish_article",
    "articles.add_section",
    "articles.change_section",
    "taggit.change_tag",
    "taggit.delete_tag",
    "regions.change_city",
    "parties.add_party",
    "parties.change_party",
    "parties.add_primaryorganisation",
    "parties.change_primaryorganisation",
    "parties.delete_primaryorganisation",
    "parties.add_partyproject",
    "parties.change_partyproject",
    "parties.delete_partyproject",
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; a fresh database has none yet.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in [("Journalists", JOURNALIST_PERMISSIONS), ("Moderators", MODERATOR_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Journalists", "Moderators"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("parties", "0001_initial"),
        ("regions", "0002_reference_data"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
