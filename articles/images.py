"""The one path every uploaded photo takes: checked by its content, then stripped of metadata."""

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

# Pillow's name of a format → (extension, content type, save options)
FORMATS = {
    "JPEG": ("jpg", "image/jpeg", {"quality": 88, "optimize": True, "progressive": True}),
    "PNG": ("png", "image/png", {"optimize": True}),
    "WEBP": ("webp", "image/webp", {"quality": 85, "method": 4}),
}
# The extensions a stored photo may have (ours, the renditions', older uploads' .jpeg) → its content type:
# the only files published from the media folder.
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Markers of a file that is also a script or a page (polyglots): no photo carries them.
# (Markers of five bytes or more, so that compressed pixel data does not match them by chance.)
ACTIVE_CONTENT_MARKERS = (b"<script", b"<?php", b"<html", b"javascript:", b"<iframe", b"<body")
# A PNG ends with its IEND chunk; bytes after it are a smuggled payload. (JPEGs from phones legitimately
# carry data after the image, such as motion-photo video; re-encoding drops it.)
PNG_END = b"IEND\xaeB`\x82"


def max_bytes():
    return settings.NEWSROOM_MAX_UPLOAD_MB * 1024 * 1024


def max_pixels():
    return settings.NEWSROOM_MAX_UPLOAD_MEGAPIXELS * 1_000_000


def refuse(message):
    raise ValidationError(message, code="invalid_image")


def read_checked(uploaded) -> tuple[bytes, Image.Image]:
    """Return the bytes and the decoded image of a safe upload, or raise ValidationError in Russian."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes():
        refuse(
            _("Файл больше %(limit)s МБ. Уменьшите фото и загрузите снова.")
            % {"limit": settings.NEWSROOM_MAX_UPLOAD_MB}
        )
    uploaded.seek(0)
    data = uploaded.read(max_bytes() + 1)
    if not data:
        refuse(_("Файл пустой."))
    if len(data) > max_bytes():
        refuse(
            _("Файл больше %(limit)s МБ. Уменьшите фото и загрузите снова.")
            % {"limit": settings.NEWSROOM_MAX_UPLOAD_MB}
        )
    lowered = data.lower()
    if any(marker in lowered for marker in ACTIVE_CONTENT_MARKERS):
        refuse(_("Файл содержит код или разметку, а не только изображение. Загрузите обычное фото."))
    try:
        with warnings.catch_warnings():
            # Our own pixel limit below is lower than Pillow's warning threshold and says more;
            # Pillow's hard limit (DecompressionBombError) still stops anything far bigger.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            if image_format not in FORMATS:
                refuse(_("Поддерживаются фото в форматах JPEG, PNG и WebP."))
            width, height = image.size
            if width * height > max_pixels():
                refuse(
                    _("Изображение слишком большое: %(width)s×%(height)s точек, допустимо до %(limit)s мегапикселей.")
                    % {"width": width, "height": height, "limit": settings.NEWSROOM_MAX_UPLOAD_MEGAPIXELS}
                )
            if getattr(image, "n_frames", 1) > 1:
                refuse(_("Анимированные изображения не поддерживаются: загрузите обычное фото."))
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombError:
        refuse(_("Изображение слишком большое для обработки."))
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError):
        refuse(_("Файл повреждён или это не изображение. Поддерживаются JPEG, PNG и WebP."))
    if image_format == "PNG" and not data.endswith(PNG_END):
        refuse(_("После изображения в файле есть посторонние данные. Сохраните фото заново и загрузите."))
    return data, image


def sanitised(image: Image.Image) -> Image.Image:
    """Upright, in sRGB, with no metadata: what is safe to store and publish."""
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            target_mode = "RGBA" if image.mode in ("RGBA", "LA") else "RGB"
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=target_mode)
        except (ImageCms.PyCMSError, OSError):
            pass  # an unreadable profile is dropped; the pixels are kept as they are
    if image.mode == "P":
        image = image.convert("RGBA")
    clean = Image.new(image.mode, image.size)  # a fresh image: no EXIF, GPS, XMP, IPTC or comments
    clean.paste(image)
    return clean


class CleanedUpload(SimpleUploadedFile):
    """A photo clean_upload() has checked and re-encoded: the library stores it as it is, without a second pass."""


def clean_upload(uploaded) -> CleanedUpload:
    """Check `uploaded` and return a re-encoded copy without metadata, under a random name."""
    _data, image = read_checked(uploaded)
    image_format = image.format
    extension, content_type, options = FORMATS[image_format]
    clean = sanitised(image)
    if image_format == "JPEG" and clean.mode not in ("RGB", "L"):
        clean = clean.convert("RGB")
    buffer = io.BytesIO()
    clean.save(buffer, format=image_format, **options)
    return CleanedUpload(f"{uuid.uuid4().hex}.{extension}", buffer.getvalue(), content_type=content_type)


def clean_form_upload(value):
    """A form's photo field value: a new upload checked and cleaned (clean_upload); a stored file as it is."""
    return clean_upload(value) if isinstance(value, UploadedFile) else value
