import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Section
from regions.models import Region


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    first_name = "Тест"
    password = factory.django.Password("secret-password")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Рубрика {n}")
    slug = factory.Sequence(lambda n: f"rubrika-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Новость номер {n} о жизни региона")
    lead = "Как передаёт корреспондент, в области прошло важное событие."
    body = "<p>Текст новости с <strong>подробностями</strong>.</p>"
    section = factory.SubFactory(SectionFactory)
    author = factory.SubFactory(UserFactory, is_staff=True)
    language = "ru"

    class Params:
        published = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
            first_published_at=factory.SelfAttribute("publish_at"),
        )
        in_north_kazakhstan = factory.Trait(
            region=factory.LazyFunction(lambda: Region.objects.get(slug="severo-kazakhstanskaya-oblast"))
        )

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)


def jpeg_file(name="photo.jpg", size=(1600, 1000), color=(40, 90, 160), **save_options):
    """A real JPEG photo as a ContentFile."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", **save_options)
    return ContentFile(buffer.getvalue(), name=name)
