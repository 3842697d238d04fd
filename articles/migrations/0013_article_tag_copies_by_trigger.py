from django.db import migrations

# The copies of an article's status, language and publication time on its taggings (see ArticleTag) are
# kept by PostgreSQL: a new tagging, or one moved to another article, takes that article's values whatever
# the insert says; a change to those fields of an article, by save, update() or raw SQL, goes to its taggings.
COPY_INTO_TAGGING = """
    CREATE FUNCTION articles_articletag_copy_article() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        article record;
    BEGIN
        SELECT status, language, publish_at INTO article FROM articles_article WHERE id = NEW.content_object_id;
        -- no such article: the foreign key refuses the row
        IF FOUND THEN
            NEW.status := article.status;
            NEW.language := article.language;
            NEW.publish_at := article.publish_at;
        END IF;
        RETURN NEW;
    END
    $$;
    CREATE TRIGGER articles_articletag_copy_article
        BEFORE INSERT OR UPDATE OF content_object_id ON articles_articletag
        FOR EACH ROW EXECUTE FUNCTION articles_articletag_copy_article();
"""
DROP_COPY_INTO_TAGGING = """
    DROP TRIGGER articles_articletag_copy_article ON articles_articletag;
    DROP FUNCTION articles_articletag_copy_article();
"""
COPY_TO_TAGGINGS = """
    CREATE FUNCTION articles_article_copy_to_taggings() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE articles_articletag
        SET status = NEW.status, language = NEW.language, publish_at = NEW.publish_at
        WHERE content_object_id = NEW.id;
        RETURN NULL;
    END
    $$;
    CREATE TRIGGER articles_article_copy_to_taggings
        AFTER UPDATE OF status, language, publish_at ON articles_article
        FOR EACH ROW
        WHEN (
            OLD.status IS DISTINCT FROM NEW.status
            OR OLD.language IS DISTINCT FROM NEW.language
            OR OLD.publish_at IS DISTINCT FROM NEW.publish_at
        )
        EXECUTE FUNCTION articles_article_copy_to_taggings();
"""
DROP_COPY_TO_TAGGINGS = """
    DROP TRIGGER articles_article_copy_to_taggings ON articles_article;
    DROP FUNCTION articles_article_copy_to_taggings();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0012_counter_mark"),
    ]

    operations = [
        migrations.RunSQL(COPY_INTO_TAGGING, DROP_COPY_INTO_TAGGING),
        migrations.RunSQL(COPY_TO_TAGGINGS, DROP_COPY_TO_TAGGINGS),
    ]
