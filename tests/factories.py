import io
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Photo, Section
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


class PhotoFactory(factory.django.DjangoModelFactory):
    """A library photo with a real JPEG file (stored directly: the upload path is tested on its own)."""

    class Meta:
        model = Photo

    file = factory.LazyFunction(lambda: jpeg_file())
    alt_text = "Фото"


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

    # ArticleFactory(cover=jpeg_file(), cover_alt="…"): the cover as a library photo uploaded by the author.
    cover_photo = factory.LazyAttribute(
        lambda story: (
            PhotoFactory(
                file=story.cover,
                alt_text=story.cover_alt,
                caption=story.cover_caption,
                credit=story.cover_credit,
                uploaded_by=story.author,
            )
            if story.cover
            else None
        )
    )

    class Params:
        cover = None
        cover_alt = "Фото"
        cover_caption = ""
        cover_credit = ""
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
