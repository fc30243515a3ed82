"""StreamField blocks shared by the public pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "website/blocks/image.html"


PARAGRAPH_FEATURES = ["h3", "h4", "bold", "italic", "link", "document-link", "ol", "ul", "hr"]


class BodyBlock(blocks.StreamBlock):
    # A section heading, rendered as <h2> (the page title is the only <h1>); each heading
    # opens a new <section> of the page (see `website.models.group_sections`).
    heading = blocks.CharBlock(label=_("Heading"), max_length=150, icon="title", form_classname="title")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=PARAGRAPH_FEATURES, icon="pilcrow")
    image = CaptionedImageBlock()
