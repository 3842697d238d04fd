# Varnish in front of Newsroom's app servers: keeps anonymous pages, purged by surrogate key on every change.
#
# Install as /etc/varnish/default.vcl (Debian's varnish and varnish-modules, for xkey) and run varnishd on
# 127.0.0.1:6081 behind the TLS site (deploy/nginx/newsroom.conf with its upstream pointed at 127.0.0.1:6081);
# its backend is the balancer in deploy/nginx/newsroom-balancer.conf. README «Scaling out» explains the whole.
# `make cluster` and `make soak` run this very file, with the backend's port replaced.
#
# What it keeps: responses carrying CDN-Cache-Control (the app sends it only on anonymous public pages,
# newsroom/edge.py), for its s-maxage, under the keys of their xkey header. What it never keeps: a request
# with a session cookie (staff), the admin and the editor's uploads, previews and shared draft links (the app
# marks them private), anything that sets a cookie.
vcl 4.1;

import std;
import xkey;

backend balancer {
    .host = "127.0.0.1";
    .port = "8080";
    .connect_timeout = 2s;
    # Longer than gunicorn's own timeout (deploy/gunicorn.conf.py), as nginx's: gunicorn decides.
    .first_byte_timeout = 75s;
    .between_bytes_timeout = 60s;
}

# Who may purge: the task workers on the app servers (NEWSROOM_EDGE_PURGE_URLS names this server).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        # Only from the task workers themselves: a reader's PURGE passed on by the TLS site comes from
        # 127.0.0.1 too, but nginx sets X-Forwarded-For to the reader's address and Varnish appends the
        # proxy's, so it names two hops; a worker's names only itself.
        if (client.ip !~ purgers || req.http.X-Forwarded-For ~ ",") {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge && !req.http.xkey-softpurge) {
            return (synth(400, "No xkey-purge or xkey-softpurge header"));
        }
        # xkey-purge: what is gone for good (a withdrawn story, even stale, is not answered). xkey-softpurge: a
        # public story changed and the lists it joined, expired (fetched again by the next request, which takes
        # the old copy only while the fetch runs) but kept for a stale answer while the origin fails.
        set req.http.purged = "0";
        set req.http.softpurged = "0";
        if (req.http.xkey-purge) {
            set req.http.purged = xkey.purge(req.http.xkey-purge);
        }
        if (req.http.xkey-softpurge) {
            set req.http.softpurged = xkey.softpurge(req.http.xkey-softpurge);
        }
        return (synth(200, "Purged " + req.http.purged + ", expired " + req.http.softpurged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|ckeditor|healthz|readyz|metrics|i18n|media|static)(/|$)"
        || req.url ~ "^(/kk)?/regions/choose-city/") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);  # staff: a fresh page, never kept here
    }
    # The reader's city (it changes the header) is the only cookie a public page reads: the rest would split
    # the cache (Vary: Cookie) without changing the page.
    if (req.http.Cookie ~ "(^|;\s*)newsroom_city=") {
        set req.http.Cookie = regsub(req.http.Cookie, "^(?:.*;\s*)?(newsroom_city=[^;]*).*$", "\1");
    } else {
        unset req.http.Cookie;
    }
    if (req.http.stale-if-error) {
        # The origin failed (vcl_synth, vcl_deliver): any copy still kept, however old, beats an error page.
        set req.grace = 3650d;  # the page's own stale-if-error (its grace, vcl_backend_response) decides
    } else {
        # While the origin answers, an expired page is answered stale for at most this long while Varnish
        # asks again in the background (stale-while-revalidate of the app's CDN-Cache-Control).
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.http.X-Forwarded-Proto);  # absolute links in pages and feeds carry the scheme
}

sub vcl_backend_response {
    if (beresp.status >= 500 && !bereq.uncacheable) {
        # A page that could be kept: neither kept nor remembered as uncacheable, so the copy kept so far
        # stays for the stale answer (the client's request restarts in vcl_synth and takes it). Staff and
        # POSTs (passed) get the app's own error page, which tells them to try again.
        return (abandon);
    }
    if (!beresp.http.CDN-Cache-Control || beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "private|no-store") {
        # Not a public page: not kept, and not waited for by other readers of the same address.
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    set beresp.ttl = std.duration(regsub(beresp.http.CDN-Cache-Control, "^.*s-maxage=([0-9]+).*$", "\1s"), 0s);
    set beresp.grace = std.duration(regsub(beresp.http.CDN-Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    set beresp.keep = 0s;
    return (deliver);
}

sub vcl_deliver {
    if (resp.status >= 500 && req.restarts == 0 && req.method == "GET" && !req.http.stale-if-error) {
        set req.http.stale-if-error = "1";
        return (restart);
    }
    # Internal to the origin and this cache.
    unset resp.http.xkey;
    unset resp.http.CDN-Cache-Control;
    if (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "hit";
    } else {
        set resp.http.X-Edge-Cache = "miss";
    }
}

sub vcl_backend_error {
    # The balancer is unreachable: no page to give. A reader's GET restarts for a stale copy (vcl_deliver); an
    # editor's POST gets the balancer's own words (deploy/nginx/newsroom-balancer.conf, @unavailable).
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "60";
    set beresp.body = {"<!DOCTYPE html><html lang="ru"><meta charset="utf-8"><title>Сайт недоступен</title>"}
        + {"<h1>Сайт ненадолго недоступен</h1><p>Изменения могли не сохраниться: вернитесь назад, проверьте "}
        + {"и попробуйте ещё раз через минуту.</p></html>"};
    return (deliver);
}

sub vcl_synth {
    # An abandoned or failed fetch: try once more, taking any stale copy (vcl_recv).
    if (resp.status == 503 && req.restarts == 0 && req.method == "GET" && !req.http.stale-if-error) {
        set req.http.stale-if-error = "1";
        return (restart);
    }
    if (resp.status == 503) {
        # No page and no copy of it: say so in the site's language rather than in Varnish's.
        set resp.http.Content-Type = "text/html; charset=utf-8";
        set resp.http.Cache-Control = "no-store";
        set resp.http.Retry-After = "60";
        synthetic({"<!DOCTYPE html><html lang="ru"><meta charset="utf-8"><title>Сайт недоступен</title>"}
            + {"<h1>Сайт ненадолго недоступен</h1><p>Попробуйте обновить страницу через минуту.</p></html>"});
        return (deliver);
    }
}
