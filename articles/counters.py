"""View and share counters recorded by small POST endpoints, so article pages stay cacheable.

A count is taken only from the site's own article page (a token the page carries and, where the browser
says, a same-origin request), never from a known bot, once per visitor per COUNT_ONCE_PER in a table
every process shares, and at most NEWSROOM_COUNTS_PER_ADDRESS times per address in that time.
"""

import ipaddress
import re
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from articles.models import Article, CounterMark, HourlyCount
from newsroom.absolute import site_url
from newsroom.proxy import client_address, parse_address

COUNT_ONCE_PER = timedelta(minutes=30)
FIELDS = {"view": "views_count", "share": "shares_count"}
# Tokens are made per hour, not per rendering: every worker renders the same page (and ETag) within the hour.
TOKEN_WINDOW_SECONDS = 3600
# A token is taken this long after its hour ends (plus the page cache's lifetime): a reader may open a tab late.
TOKEN_GRACE_SECONDS = 3600
TOKEN_SALT = "articles.counters.token"
# Old marks are deleted on every PRUNE_EVERY-th count: a cheap, bounded delete along the age index.
PRUNE_EVERY = 100
BOT_AGENTS = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|whatsapp|vkshare|preview|headless|lighthouse|python-|curl|wget"
    r"|go-http-client|okhttp|java/|libwww|httpclient|scrapy|aiohttp|axios|node-fetch|phantomjs",
    re.IGNORECASE,
)


def page_token(article_pk, now=None):
    """The token the article page carries: the story and the hour, signed; the same for every reader."""
    window = int((now or timezone.now()).timestamp()) // TOKEN_WINDOW_SECONDS
    return signing.Signer(salt=TOKEN_SALT).sign(f"{article_pk}.{window}")


def has_valid_token(request, article_pk):
    try:
        story, window = signing.Signer(salt=TOKEN_SALT).unsign(request.POST.get("token", "")).split(".")
        issued = int(window) * TOKEN_WINDOW_SECONDS
    except (signing.BadSignature, ValueError):
        return False
    age = timezone.now().timestamp() - issued
    longest = TOKEN_WINDOW_SECONDS + settings.NEWSROOM_PAGE_CACHE_SECONDS + TOKEN_GRACE_SECONDS
    return story == str(article_pk) and -60 <= age <= longest  # a minute's leeway for another server's clock


def is_from_own_page(request):
    """Refuse what a browser says comes from another site; a script without those headers needs the token."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin in {f"{request.scheme}://{request.get_host()}", site_url(request)}


def is_bot(request):
    agent = request.headers.get("User-Agent", "")
    return not agent.strip() or BOT_AGENTS.search(agent) is not None


def address_key(request):
    """The client's address, as a keyed hash; an IPv6 client is its /64, which one household holds whole."""
    address = client_address(request)
    parsed = parse_address(address)  # IPv4-mapped addresses come back as IPv4
    if parsed is not None and parsed.version == 6:
        address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return salted_hmac("articles.counters.address", address).hexdigest()[:32]


def visitor_fingerprint(request, address):
    """An anonymous, short-lived identity: address and browser, hashed with a key."""
    agent = request.headers.get("User-Agent", "")[:300]
    return salted_hmac("articles.counters.visitor", f"{address}|{agent}").hexdigest()[:32]


def record(request, slug, kind):
    """Count one `kind` event for the article, once per visitor per 30 minutes."""
    field = FIELDS[kind]
    article = Article.objects.published().filter(slug=slug).values("pk", field).first()
    if article is None:
        raise Http404
    if not (is_from_own_page(request) and has_valid_token(request, article["pk"])):
        return JsonResponse({"counted": False}, status=403)
    counted = not is_bot(request) and claim(request, article["pk"], kind)
    if counted:
        HourlyCount.objects.add(article_id=article["pk"], kind=kind, now=timezone.now())
    return JsonResponse({"counted": counted, "count": article[field] + int(counted)})


def claim(request, article_pk, kind):
    now = timezone.now()
    address = address_key(request)
    mark = CounterMark.objects.claim(
        article_id=article_pk,
        kind=kind,
        visitor=visitor_fingerprint(request, address),
        address=address,
        now=now,
        once_per=COUNT_ONCE_PER,
        address_limit=settings.NEWSROOM_COUNTS_PER_ADDRESS,
    )
    if mark is not None and mark % PRUNE_EVERY == 0:
        CounterMark.objects.expired(now, COUNT_ONCE_PER).delete()
    return mark is not None


# The page that posts here is cached and shared, so it carries no CSRF token; the endpoints change
# nothing but a counter and take only what the site's own page sends.
@csrf_exempt
@never_cache
@require_POST
def record_view(request, slug):
    return record(request, slug, "view")


@csrf_exempt
@never_cache
@require_POST
def record_share(request, slug):
    return record(request, slug, "share")
