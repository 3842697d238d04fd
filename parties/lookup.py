"""Parties and places found by the names an office writes, forgiving case, quotes and generic words."""

import re
from collections import defaultdict
from functools import cached_property

from parties.columns import REGION, cell_text
from parties.models import Party
from regions.models import City, District, Region

# Words that may be added to or left out of a name: «Айыртауский район» is «Айыртауский».
GENERIC_WORDS = {"район", "р-н", "ауданы", "аудан", "область", "обл", "облысы", "город", "г", "қаласы", "қ"}
GENERIC_WORDS |= {"партия", "партиясы"}


def normalise(text):
    """Return a name as compared: lower case, without quotes, with «е» for «ё»."""
    return " ".join(re.sub(r"[«»\"'“”„]", " ", cell_text(text)).replace("ё", "е").replace("Ё", "Е").split()).casefold()


def loosen(key):
    """Return a normalised name without generic words such as «район» or «область»."""
    words = [word.strip(".") for word in re.split(r"[\s.]+", key)]
    return " ".join(word for word in words if word and word not in GENERIC_WORDS)


class AmbiguousName(Exception):
    pass


class Lookup:
    """Objects found by any of their names (Russian, Kazakh, short) or slug, forgiving case, quotes, generic words."""

    def __init__(self, objects, attributes):
        self.exact, self.loose = defaultdict(set), defaultdict(set)
        for obj in objects:
            for attribute in attributes:
                if value := getattr(obj, attribute, ""):
                    self.exact[normalise(value)].add(obj)
                    self.loose[loosen(normalise(value))].add(obj)

    def find(self, text):
        """Return the one object `text` names, or None; raise AmbiguousName when it names several."""
        key = normalise(text)
        for table, candidate in [(self.exact, key), (self.loose, loosen(key))]:
            found = table.get(candidate)
            if found and len(found) > 1:
                raise AmbiguousName(", ".join(sorted(f"«{obj.name}»" for obj in found)))
            if found:
                return next(iter(found))
        return None


class Registry:
    """The parties and places an import refers to, loaded once per import rather than once per row."""

    @cached_property
    def parties(self):
        return Lookup(Party.objects.all(), ["name", "name_kk", "short_name", "slug"])

    @cached_property
    def regions(self):
        return Lookup(Region.objects.all(), ["name", "name_kk", "short_name", "slug"])

    @cached_property
    def districts(self):
        return self.by_region(District.objects.all())

    @cached_property
    def cities(self):
        return self.by_region(City.objects.all())

    @staticmethod
    def by_region(queryset):
        places = defaultdict(list)
        for place in queryset:
            places[place.region_id].append(place)
        return defaultdict(
            lambda: Lookup([], []), {key: Lookup(value, ["name", "name_kk", "slug"]) for key, value in places.items()}
        )

    def region_of(self, row):
        """Return the row's region, or None when it is missing or unknown (that cell gets its own message)."""
        try:
            return self.regions.find(row.get(REGION)) if cell_text(row.get(REGION)) else None
        except AmbiguousName:
            return None
