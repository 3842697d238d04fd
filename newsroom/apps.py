"""The admin app, with the Newsroom admin site, its device pages, the site's security checks and error reports."""

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.core import checks


class NewsroomAdminConfig(AdminConfig):
    default_site = "newsroom.admin_site.NewsroomAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin module, django-otp's device admins among them
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from procrastinate.contrib.django.models import ProcrastinateEvent, ProcrastinateJob, ProcrastinateWorker

        from newsroom.admin_site import DeviceAdmin

        # django-otp's own device admins show keys, QR codes and recovery codes to anyone allowed to view them.
        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
            admin.site.register(model, DeviceAdmin)
        # procrastinate's job pages show task arguments (e-mail addresses) to anyone with the view permission;
        # newsroom/background/admin.py shows them to superusers only.
        for model in (ProcrastinateJob, ProcrastinateEvent, ProcrastinateWorker):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
        # Every app's public models and links move the content generation (declared in each AppConfig).
        from newsroom.caching import connect_invalidation

        connect_invalidation()
        checks.register(check_two_factor_required, checks.Tags.security, deploy=True)
        checks.register(check_trusted_proxies, checks.Tags.security)
        checks.register(check_metrics_access, checks.Tags.security)
        checks.register(check_telegram_links)
        if settings.SENTRY_DSN:
            from newsroom import error_reporting  # the SDK is loaded only when it is used

            error_reporting.init(settings.SENTRY_DSN, settings.SENTRY_ENVIRONMENT, settings.SENTRY_RELEASE)


def check_two_factor_required(app_configs, **kwargs):
    """Warn when a production configuration lets moderators and superusers sign in without a code."""
    if settings.DEBUG or settings.NEWSROOM_REQUIRE_2FA:
        return []
    return [
        checks.Warning(
            "NEWSROOM_REQUIRE_2FA is off while DEBUG is off: "
            "moderators and superusers may sign in with a password alone.",
            hint="Leave NEWSROOM_REQUIRE_2FA unset (on by default) or set it to 1 in production.",
            id="newsroom.W001",
        )
    ]


def check_trusted_proxies(app_configs, **kwargs):
    """Refuse proxy entries that are not addresses: a host name would silently trust nobody."""
    from newsroom.proxy import invalid_proxies

    return [
        checks.Error(
            f"NEWSROOM_TRUSTED_PROXIES has {entry!r}, which is not an IP address or network.",
            hint="Give the proxy's address (e.g. 127.0.0.1 or 10.0.0.0/24), not its host name.",
            id="newsroom.E001",
        )
        for entry in invalid_proxies(settings.NEWSROOM_TRUSTED_PROXIES)
    ]


def check_metrics_access(app_configs, **kwargs):
    """Refuse allowed-address entries that are not addresses, and a token short enough to guess."""
    from newsroom.proxy import invalid_proxies

    errors = [
        checks.Error(
            f"NEWSROOM_METRICS_ALLOWED has {entry!r}, which is not an IP address or network.",
            hint="Give Prometheus's address (e.g. 10.0.0.5 or 10.0.0.0/24), not its host name.",
            id="newsroom.E002",
        )
        for entry in invalid_proxies(settings.NEWSROOM_METRICS_ALLOWED)
    ]
    if settings.NEWSROOM_METRICS_TOKEN and len(settings.NEWSROOM_METRICS_TOKEN) < 32:
        errors.append(
            checks.Error(
                "NEWSROOM_METRICS_TOKEN is shorter than 32 characters.",
                hint='Use a long random value, e.g. python3 -c "import secrets; print(secrets.token_urlsafe(32))".',
                id="newsroom.E003",
            )
        )
    return errors


def check_telegram_links(app_configs, **kwargs):
    """Warn that Telegram posts wait for the site's public address: they link to it, Telegram fetches photos there."""
    if not settings.NEWSROOM_TELEGRAM_BOT_TOKEN or settings.NEWSROOM_SITE_URL:
        return []
    return [
        checks.Warning(
            "NEWSROOM_TELEGRAM_BOT_TOKEN is set but NEWSROOM_SITE_URL is not: no story is posted to Telegram.",
            hint="Set NEWSROOM_SITE_URL to the site's public address, e.g. https://news.example.kz.",
            id="newsroom.W002",
        )
    ]
