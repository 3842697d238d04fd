from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from articles.models import Article
from newsroom import edge
from newsroom.navigation import with_places
from newsroom.pagination import paginate
from parties.aggregates import party_totals_by_region
from parties.models import Party, PartyProject

PARTY_NEWS = 12


def party_list(request):
    edge.shows(edge.PARTY_REGISTRY)
    return render(
        request,
        "parties/party_list.html",
        {"parties": Party.objects.with_totals(), "crumbs": [{"title": _("Партии")}]},
    )


def party_detail(request, slug):
    party = get_object_or_404(Party.objects.with_totals(), slug=slug)
    articles = with_places(Article.objects.linked_to_party(party).public().for_listing().newest_first()[:PARTY_NEWS])
    edge.shows(party)
    edge.shows_listed(*articles)
    return render(
        request,
        "parties/party_detail.html",
        {
            "party": party,
            "regions": party_totals_by_region(party),
            "projects": party.projects.all(),
            "articles": articles,
            "crumbs": [{"title": _("Партии"), "url": reverse("parties:list")}, {"title": party.display_name}],
        },
    )


def project_detail(request, party_slug, slug):
    project = get_object_or_404(PartyProject.objects.select_related("party"), party__slug=party_slug, slug=slug)
    stories = project.articles.public().for_listing().newest_first()
    page = paginate(request, stories, kept_as=("project", project.pk))
    page.object_list = with_places(page.object_list)
    edge.shows(project, edge.key("party", project.party_id))
    edge.shows_listed(*page.object_list)
    return render(
        request,
        "parties/partyproject_detail.html",
        {
            "project": project,
            "page": page,
            "crumbs": [
                {"title": _("Партии"), "url": reverse("parties:list")},
                {"title": project.party.display_name, "url": project.party.get_absolute_url()},
                {"title": project.display_name},
            ],
        },
    )
