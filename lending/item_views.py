"""Adding and changing equipment: items, kits, categories, repairs and retirement.

Thin: they parse, call `lending.catalogue` and render. An item or a kit one may not see reads
as missing (404, `lending.selectors`); what one sees but may not change is a 403 with the
reason. Repair and retirement change things on POST only; a GET shows the same form on a
confirmation page (the item page shows it too)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors, error_text, posted
from core.permissions import Conflict
from lending import catalogue, permissions, selectors
from lending.item_forms import CategoryForm, EndRepairForm, ItemForm, KitForm, RepairForm, RetireForm
from lending.models import Category, Item, Kit
from lending.navigation import lending_tabs
from members import permissions as member_permissions

PAGE_SIZE = 25


# --- Fetching what the URL names --------------------------------------------------------------


def _item(request: HttpRequest, pk: int) -> Item:
    return selectors.item_get_for_user(request.user, pk)


def _kit(request: HttpRequest, pk: int) -> Kit:
    return selectors.kit_get_for_user(request.user, pk)


def _owners_or_403(user: Any) -> list[tuple[str, str]]:
    owners = catalogue.owner_choices(user)
    if not owners:
        if not member_permissions.is_approved(user):
            permissions.can_add_equipment(user, None).check()
        raise PermissionDenied(_("You may add equipment only for a venue you work in or administer."))
    return owners


def _with_current_owner(owners: list[tuple[str, str]], thing: Item | Kit) -> list[tuple[str, str]]:
    value = str(thing.owner_venue_id) if thing.owner_venue_id else catalogue.RESOURCE_CENTRE
    if any(v == value for v, _label in owners):
        return owners
    label = thing.owner_venue.name if thing.owner_venue else _("Resource centre")
    return [(value, label), *owners]


# --- Items ------------------------------------------------------------------------------------


def _photos_lost(request: HttpRequest) -> None:
    if request.FILES.getlist("photos"):
        messages.warning(request, _("The photos you chose were not kept: choose them again."))


def _item_form_page(request: HttpRequest, form: ItemForm, item: Item | None, status: int = 200) -> HttpResponse:
    return render(request, "lending/items/item_form.html", {
        "tabs": lending_tabs(request.user), "form": form, "item": item,
        "can_manage_categories": bool(permissions.can_manage_categories(request.user)),
        "has_categories": Category.objects.exists(),
    }, status=status)


@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    owners = _owners_or_403(user)
    form = ItemForm(posted(request), request.FILES or None, owners=owners,
                    initial={"owner": owners[0][0], "may_leave_venue": True, "buffer_before": 0,
                             "buffer_after": 0})
    if form.is_bound:
        if form.is_valid():
            try:
                item = catalogue.item_create(actor=user, **form.service_arguments(),
                                             accessories=request.POST.getlist("accessories"),
                                             photos=form.cleaned_data["photos"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("« %(name)s » is in the catalogue (number %(number)s).")
                                 % {"name": item.name, "number": item.inventory_number})
                return redirect(item.get_absolute_url())
        _photos_lost(request)
    return _item_form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = _item(request, pk)
    permissions.can_edit_item(user, item).check()
    owners = _with_current_owner(catalogue.owner_choices(user), item)
    form = ItemForm(posted(request), request.FILES or None, owners=owners, item=item,
                    initial=ItemForm.initial_for(item))
    if form.is_bound:
        if form.is_valid():
            try:
                catalogue.item_update(actor=user, item=item, **form.service_arguments(),
                                      accessories=request.POST.getlist("accessories"),
                                      photos_add=form.cleaned_data["photos"],
                                      photos_remove=[p.pk for p in form.cleaned_data["remove_photos"]])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect(item.get_absolute_url())
        _photos_lost(request)
    return _item_form_page(request, form, item)


def _affected_message(loans: list[Any]) -> Any:
    links = format_html_join(", ", '<a href="{}">{}</a>',
                             ((loan.get_absolute_url(), catalogue.describe_loan(loan)) for loan in loans))
    return format_html("{} {}", _("These loans are affected: tell the borrowers, or cancel them:"), links)


@require_http_methods(["GET", "POST"])
def item_repair(request: HttpRequest, pk: int) -> HttpResponse:
    """Send to repair (field `note`), or, when in repair, back in service (`condition`, `note`)."""
    user: Any = request.user
    item = _item(request, pk)
    ending = item.status == Item.Status.REPAIR
    decision = (permissions.can_end_repair if ending else permissions.can_send_to_repair)(user, item)
    if not decision:
        if isinstance(decision, Conflict):
            messages.error(request, decision.reason)
            return redirect(item.get_absolute_url())
        raise PermissionDenied(decision.reason)
    form: RepairForm | EndRepairForm = (EndRepairForm if ending else RepairForm)(posted(request))
    if form.is_bound and form.is_valid():
        try:
            if ending:
                catalogue.item_end_repair(actor=user, item=item, condition=form.cleaned_data["condition"],
                                          note=form.cleaned_data["note"])
            else:
                affected = catalogue.item_send_to_repair(actor=user, item=item, note=form.cleaned_data["note"])
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, error_text(exc))
                return redirect(item.get_absolute_url())
            add_service_errors(form, exc)
        else:
            if ending:
                messages.success(request, _("« %(name)s » is back in service.") % {"name": item.name})
            else:
                messages.success(request, _("« %(name)s » is in repair: it cannot be booked until it is back.")
                                 % {"name": item.name})
                if affected:
                    messages.warning(request, _affected_message(affected))
            return redirect(item.get_absolute_url())
    return render(request, "lending/items/repair.html", {
        "tabs": lending_tabs(user), "item": item, "form": form, "ending": ending,
        "loans": [] if ending else catalogue.future_loans(item, include_out=False),
    })


@require_http_methods(["GET", "POST"])
def item_retire(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    item = _item(request, pk)
    permissions.can_edit_item(user, item).check()
    if item.status == Item.Status.RETIRED:
        messages.info(request, _("This equipment is already retired."))
        return redirect(item.get_absolute_url())
    form = RetireForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            catalogue.item_retire(actor=user, item=item, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("« %(name)s » is retired: it is no longer lent, its history is kept.")
                             % {"name": item.name})
            return redirect(item.get_absolute_url())
    return render(request, "lending/items/retire.html", {
        "tabs": lending_tabs(user), "item": item, "form": form, "loans": catalogue.future_loans(item),
    })


# --- Kits -------------------------------------------------------------------------------------


def _kit_page(request: HttpRequest, form: KitForm, kit: Kit | None, selected: set[str]) -> HttpResponse:
    return render(request, "lending/items/kit_form.html", {
        "tabs": lending_tabs(request.user), "form": form, "kit": kit,
        "groups": form.item_groups(selected), "single_owner": len(form.fields["owner"].choices) == 1,  # type: ignore[attr-defined]
    })


def _kit_form(request: HttpRequest, owners: list[tuple[str, str]], default_owner: str,
              initial: dict[str, Any], kit: Kit | None) -> tuple[KitForm | None, HttpResponse | None]:
    """(a valid form to save, None) or (None, the page to show)."""
    values = {v for v, _label in owners}
    if request.method == "POST" and "choose_owner" not in request.POST:
        owner = request.POST.get("owner", default_owner)
        form = KitForm(request.POST, owners=owners, owner_value=owner if owner in values else default_owner)
        if form.is_valid():
            return form, None
        return None, _kit_page(request, form, kit, set(request.POST.getlist("items")))
    if request.method == "POST":
        # "Show this owner's equipment" (without JavaScript): the form again, nothing checked.
        owner = request.POST.get("owner", default_owner)
        owner = owner if owner in values else default_owner
        initial = {**initial, "name": request.POST.get("name", ""), "description": request.POST.get("description", ""),
                   "auto_approve": bool(request.POST.get("auto_approve")), "owner": owner}
        selected: set[str] = set()
    else:
        owner = request.GET.get("proprietaire", default_owner)
        owner = owner if owner in values else default_owner
        initial = {**initial, "owner": owner}
        selected = {str(pk) for pk in initial.get("items", [])} if owner == default_owner else set()
    form = KitForm(owners=owners, owner_value=owner, initial=initial)
    return None, _kit_page(request, form, kit, selected)


@require_http_methods(["GET", "POST"])
def kit_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    owners = _owners_or_403(user)
    form, page = _kit_form(request, owners, owners[0][0], {}, None)
    if form is None:
        assert page is not None
        return page
    data = form.cleaned_data
    try:
        kit = catalogue.kit_create(actor=user, name=data["name"], description=data["description"],
                                   owner_venue=form.owner_venue(), items=list(data["items"]),
                                   auto_approve=data["auto_approve"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _kit_page(request, form, None, set(request.POST.getlist("items")))
    messages.success(request, _("The kit « %(name)s » is in the catalogue.") % {"name": kit.name})
    return redirect(kit.get_absolute_url())


@require_http_methods(["GET", "POST"])
def kit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    kit = _kit(request, pk)
    permissions.can_edit_item(user, kit).check()
    owners = _with_current_owner(catalogue.owner_choices(user), kit)
    current = str(kit.owner_venue_id) if kit.owner_venue_id else catalogue.RESOURCE_CENTRE
    initial = {"name": kit.name, "description": kit.description, "auto_approve": kit.auto_approve,
               "items": list(kit.items.values_list("pk", flat=True))}
    form, page = _kit_form(request, owners, current, initial, kit)
    if form is None:
        assert page is not None
        return page
    data = form.cleaned_data
    try:
        catalogue.kit_update(actor=user, kit=kit, name=data["name"], description=data["description"],
                             owner_venue=form.owner_venue(), items=list(data["items"]),
                             auto_approve=data["auto_approve"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _kit_page(request, form, kit, set(request.POST.getlist("items")))
    messages.success(request, _("The changes are saved."))
    return redirect(kit.get_absolute_url())


# --- Categories -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest) -> HttpResponse:
    """The list with each category's item count; add, rename, delete (a form each, no script).
    A refused rename or delete shows its errors on its row, what was typed kept."""
    user: Any = request.user
    permissions.can_manage_categories(user).check()
    add_form = CategoryForm(prefix="new")
    failed: dict[str, Any] = {}
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "create":
        add_form = CategoryForm(request.POST, prefix="new")
        if add_form.is_valid():
            try:
                category = catalogue.category_create(actor=user, name=add_form.cleaned_data["name"])
            except ValidationError as exc:
                add_service_errors(add_form, exc)
            else:
                messages.success(request, _("The category « %(name)s » is added.") % {"name": category.name})
                return redirect("materiel:categories")
    elif action in ("rename", "delete"):
        raw = request.POST.get("category", "")
        category = get_object_or_404(Category, pk=int(raw) if raw.isdecimal() and raw.isascii() else 0)
        failed = {"pk": category.pk, "errors": []}
        try:
            if action == "rename":
                form = CategoryForm(request.POST)
                failed["name"] = request.POST.get("name", "")
                if not form.is_valid():
                    failed["errors"] = [error for errors in form.errors.values() for error in errors]
                else:
                    old = category.name
                    catalogue.category_rename(actor=user, category=category, name=form.cleaned_data["name"])
                    messages.success(request, _("« %(old)s » is renamed « %(name)s ».")
                                     % {"old": old, "name": category.name})
                    return redirect("materiel:categories")
            else:
                catalogue.category_delete(actor=user, category=category)
                messages.success(request, _("The category « %(name)s » is deleted.") % {"name": category.name})
                return redirect("materiel:categories")
        except ValidationError as exc:
            failed["errors"] = exc.messages
    rows = catalogue.categories_with_counts()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "lending/items/categories.html", {
        "tabs": lending_tabs(user), "page": page, "categories": list(page.object_list), "add_form": add_form,
        "failed_pk": failed.get("pk"), "failed_name": failed.get("name"), "failed_errors": failed.get("errors", []),
    })
