"""process_photo: what comes out is upright, bare JPEG; what is refused says why."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from PIL import Image

from homefront.photos import testing
from homefront.photos.processing import PhotoRefused
from homefront.photos.processing import process_photo


def _open(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def _refusal(upload, **kwargs) -> PhotoRefused:
    with pytest.raises(PhotoRefused) as refused:
        process_photo(upload, **kwargs)
    return refused.value


def test_a_phone_jpeg_comes_out_upright_with_no_metadata_at_all():
    original = testing.phone_jpeg(600, 400, orientation=6)
    assert (
        Image.open(io.BytesIO(original)).getexif().get_ifd(testing.GPS_IFD_TAG)
    )  # the input has GPS

    photo = process_photo(original)

    for data in (photo.display, photo.thumbnail):
        stored = _open(data)
        assert stored.format == "JPEG"
        assert not stored.getexif()  # no orientation, no make, no GPS
        assert not stored.getexif().get_ifd(testing.GPS_IFD_TAG)
        assert "exif" not in stored.info
        assert "icc_profile" not in stored.info
        assert b"Exif" not in data[:4096]
        assert b"PhoneMaker" not in data
        # Turned clockwise: the sideways 600 x 400 is now 400 wide, red on top.
        assert stored.height > stored.width
        assert stored.getpixel((stored.width // 2, 5))[0] > 180  # red at the top
        assert stored.getpixel((stored.width // 2, stored.height - 5))[2] > 180  # blue below
    assert (photo.width, photo.height) == (400, 600)
    assert photo.content_type == "image/jpeg"


def test_a_large_photo_is_kept_at_display_and_thumbnail_sizes():
    photo = process_photo(testing.phone_jpeg(4032, 3024, orientation=1))
    assert (photo.width, photo.height) == (1600, 1200)
    assert (photo.thumbnail_width, photo.thumbnail_height) == (400, 300)
    assert _open(photo.display).size == (1600, 1200)
    assert _open(photo.thumbnail).size == (400, 300)


def test_a_heic_from_an_iphone_is_read():
    photo = process_photo(testing.phone_heic(600, 400))
    stored = _open(photo.display)
    assert stored.format == "JPEG"
    assert stored.size == (600, 400)
    assert stored.getpixel((5, 200))[0] > 180
    assert stored.getpixel((595, 200))[2] > 180


def test_png_with_transparency_and_webp_are_read():
    transparent = Image.new("RGBA", (100, 80), (0, 0, 0, 0))
    out = io.BytesIO()
    transparent.save(out, "PNG")
    assert _open(process_photo(out.getvalue()).display).getpixel((50, 40)) == (255, 255, 255)

    out = io.BytesIO()
    testing.two_colour_picture(200, 100).save(out, "WEBP")
    assert _open(process_photo(out.getvalue()).display).size == (200, 100)


def test_a_file_upload_is_read_from_its_stream():
    photo = process_photo(io.BytesIO(testing.phone_jpeg()))
    assert photo.width == 400


def test_a_50_megapixel_png_is_refused_as_too_many_pixels():
    refused = _refusal(testing.png_of(50))
    assert refused.code == "too_many_pixels"
    assert "49 million pixels" in refused.message


def test_between_the_limit_and_twice_it_pillow_only_warns_and_that_is_refused_too():
    with override_settings(PHOTO_MAX_PIXELS=2_000_000):
        assert _refusal(testing.png_of(3)).code == "too_many_pixels"
        assert _refusal(testing.png_of(5)).code == "too_many_pixels"


def test_a_text_file_named_jpg_is_refused_as_not_a_photo():
    refused = _refusal(b"Shopping list: milk, bread, raw currants\n" * 20)
    assert refused.code == "not_an_image"
    assert "not a photo" in refused.message


def test_an_svg_drawing_is_refused_by_name():
    svg = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    assert _refusal(svg).code == "svg"
    assert _refusal(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>").code == "svg"


def test_a_video_is_refused_by_name():
    mp4_head = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 100
    quicktime_head = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 100
    webm_head = b"\x1a\x45\xdf\xa3" + b"\x00" * 100
    for head in (mp4_head, quicktime_head, webm_head):
        refused = _refusal(head)
        assert refused.code == "video"
        assert "Videos" in refused.message


def test_animated_pictures_are_refused():
    assert _refusal(testing.animated_gif()).code == "animated"
    assert _refusal(testing.animated_webp()).code == "animated"


def test_an_upload_cut_off_halfway_is_refused_as_incomplete():
    whole = testing.phone_jpeg(1200, 900)
    refused = _refusal(whole[: len(whole) // 2])
    assert refused.code == "damaged"


def test_an_upload_cut_off_halfway_is_refused_in_a_server_that_makes_pdfs():
    import weasyprint  # noqa: F401  (it has Pillow accept cut-off images process-wide)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    whole = testing.phone_jpeg(1200, 900)
    assert _refusal(whole[: len(whole) // 2]).code == "damaged"
    assert ImageFile.LOAD_TRUNCATED_IMAGES, "the PDFs keep drawing what they can"


@override_settings(PHOTO_MAX_UPLOAD_BYTES=10_000)
def test_an_upload_over_the_size_limit_is_refused_without_reading_it_all():
    stream = io.BytesIO(b"\xff" * 1_000_000)
    refused = _refusal(stream)
    assert refused.code == "too_large"
    assert stream.tell() <= 10_001


def test_the_household_quota_counts_what_is_stored_already():
    photo = process_photo(testing.phone_jpeg())
    with override_settings(PHOTO_HOUSEHOLD_QUOTA_BYTES=1_000_000):
        assert process_photo(testing.phone_jpeg(), household_bytes_used=500_000)
        refused = _refusal(
            testing.phone_jpeg(), household_bytes_used=1_000_000 - photo.stored_bytes + 1
        )
        assert refused.code == "quota"
        assert "full" in refused.message
        assert _refusal(b"anything", household_bytes_used=1_000_000).code == "quota"


def test_the_same_upload_has_the_same_fingerprint():
    data = testing.phone_jpeg()
    assert process_photo(data).upload_sha256 == process_photo(data).upload_sha256
    assert (
        process_photo(data).upload_sha256
        != process_photo(testing.phone_jpeg(602, 400)).upload_sha256
    )


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_turns_as_pillow_would(orientation):
    from PIL import ImageOps

    original = testing.phone_jpeg(120, 80, orientation=orientation)
    expected = ImageOps.exif_transpose(Image.open(io.BytesIO(original)))
    stored = _open(process_photo(original).display)
    assert stored.size == expected.size
    # The red half (left in the stored pixels) lands where Pillow would put it.
    red_corner = max(
        ((x, y) for x in (2, expected.width - 3) for y in (2, expected.height - 3)),
        key=lambda xy: expected.getpixel(xy)[0] - expected.getpixel(xy)[2],
    )
    assert stored.getpixel(red_corner)[0] > 180
