"""StreamField blocks shared by the public pages."""

from django.core.exceptions import ValidationError
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


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"), max_length=1000)
    attribution = blocks.CharBlock(
        label=_("Who said it"), required=False, max_length=200, help_text=_("For example: Léa, animatrice à Gramat")
    )

    class Meta:
        icon = "openquote"
        label = _("Quotation")
        template = "website/blocks/quote.html"


class CallToActionBlock(blocks.StructBlock):
    """A highlighted box with a link: "Join the network", "Find a venue near you"..."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=500)
    link_label = blocks.CharBlock(label=_("Link text"), max_length=80)
    page = blocks.PageChooserBlock(label=_("Page of the site"), required=False)
    url = blocks.URLBlock(label=_("Or an address"), required=False)

    class Meta:
        icon = "link"
        label = _("Call to action")
        template = "website/blocks/call_to_action.html"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = _("Choose a page of the site or give an address (one of the two).")
            raise blocks.StructBlockValidationError(block_errors={"url": ValidationError(message)})
        return value


PARAGRAPH_FEATURES = ["h3", "h4", "bold", "italic", "link", "document-link", "ol", "ul", "hr"]


class BodyBlock(blocks.StreamBlock):
    # A section heading, rendered as <h2> (the page title is the only <h1>); each heading
    # opens a new <section> of the page (see `website.models.group_sections`).
    heading = blocks.CharBlock(label=_("Heading"), max_length=150, icon="title", form_classname="title")
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=PARAGRAPH_FEATURES, icon="pilcrow")
    image = CaptionedImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
