"""``{% field_group form.name %}``: one form field with its label, help text and errors, written in Python.

The markup is django-crispy-forms' Bootstrap 5 field (``bootstrap5/field.html``, as ``|as_crispy_field``
wrote it), for the widgets our forms use: inputs, text areas, selects and radio buttons. Crispy renders
each field through 4–8 templates; on the daily form's 11 fields that was about half of the page's
CPU. Here the label, wrapper, radio options, errors and help text are written with ``format_html``
(every value escaped as the templates escaped it) and the widget itself by Django, as crispy did: so
``required``, ``aria-invalid``, ``aria-describedby`` and the values are Django's own.
``tests/trialsite/test_field_group.py`` compares the markup with crispy's in both languages.
"""

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ERROR = '<p id="error_{}_{}"><strong>{}</strong></p>'
OPTION = (
    '<div class="form-check"><input type="{}" class="form-check-input{}" name="{}" value="{}"{}>'
    '<label for="{}" class="form-check-label">{}</label>{}</div>'
)


@register.simple_tag
def field_group(field: BoundField) -> SafeString:
    """The field as ``{{ field|as_crispy_field }}`` wrote it (Bootstrap 5, labels and errors shown)."""
    if field.is_hidden:
        return field.as_widget()
    if isinstance(field.field.widget, forms.RadioSelect):
        body = format_html("<div>{}</div>{}", _options(field), _help_text(field))
    else:
        body = format_html("{}{}{}", _widget(field), _errors(field), _help_text(field))
    css = f" {field.css_classes()}" if field.css_classes() else ""
    closing = mark_safe("</fieldset>") if field.use_fieldset and field.label else ""
    return format_html('<div id="div_{}" class="mb-3{}">{}{}{}</div>', field.auto_id, css, _label(field), body, closing)


def _label(field: BoundField) -> SafeString:
    if not field.label:
        return mark_safe("")
    required = field.field.required
    star = mark_safe('<span class="asteriskField">*</span>') if required else ""
    css = "form-label requiredField" if required else "form-label"
    if field.use_fieldset:
        described = format_html(' aria-describedby="{}"', field.aria_describedby) if field.aria_describedby else ""
        return format_html('<fieldset{}><legend class="{} fs-6">{}{}</legend>', described, css, field.label, star)
    target = format_html(' for="{}"', field.id_for_label) if field.id_for_label else ""
    return format_html('<label{} class="{}">{}{}</label>', target, css, field.label, star)


def _widget(field: BoundField) -> SafeString:
    """The widget with crispy's classes: its own class name, then Bootstrap's (and ``is-invalid``)."""
    widget = field.field.widget
    own = widget.__class__.__name__.lower()
    css = widget.attrs.get("class", "")
    css = (f"{css} {own}" if own not in css else css) if css else own
    bootstrap = "form-select" if isinstance(widget, forms.Select) else "form-control"
    extra = [name for name in (bootstrap, "is-invalid" if field.errors else "") if name and name not in css.split()]
    return _rendered(field, {"class": " ".join([css, *extra])})


def _rendered(field: BoundField, attrs: dict) -> SafeString:
    """``field.as_widget(attrs=attrs)``: inputs, text areas and selects written here as Django's widget
    templates write them (``django/forms/widgets/``), any other widget by its template."""
    widget = field.field.widget
    writer = WIDGET_WRITERS.get(widget.template_name)
    if writer is None or field.field.localize:
        return field.as_widget(attrs=attrs)
    attrs = field.build_widget_attrs(attrs, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    return writer(widget.get_context(field.html_name, field.value(), attrs)["widget"])


def _attrs(attrs: dict) -> SafeString:
    return format_html_join("", "{}", ((_attribute(name, value),) for name, value in attrs.items()))


def _input(widget: dict) -> SafeString:
    value = format_html(' value="{}"', str(widget["value"])) if widget["value"] is not None else ""
    return format_html(
        '<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value, _attrs(widget["attrs"])
    )


def _textarea(widget: dict) -> SafeString:
    value = widget["value"] or ""
    return format_html('<textarea name="{}"{}>\n{}</textarea>', widget["name"], _attrs(widget["attrs"]), value)


def _select(widget: dict) -> SafeString:
    parts = []
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(format_html('\n  <option value="{}"{}>{}</option>', str(option["value"]),
                                     _attrs(option["attrs"]), option["label"]))  # fmt: skip
        if group_name:
            parts.append(mark_safe("\n  </optgroup>"))
    return format_html(
        '<select name="{}"{}>{}\n</select>', widget["name"], _attrs(widget["attrs"]), mark_safe("".join(parts))
    )


WIDGET_WRITERS = {
    **{f"django/forms/widgets/{kind}.html": _input for kind in ("text", "number", "date", "email", "hidden", "input")},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
}


def _options(field: BoundField) -> SafeString:
    """The radio buttons, as crispy's ``radio_checkbox_select.html`` wrote them; the errors under the last."""
    invalid = " is-invalid" if field.errors else ""
    options = [option for _group, group_options, _index in _optgroups(field) for option in group_options]
    rows = []
    for number, option in enumerate(options, start=1):
        errors = _errors(field) if number == len(options) else ""
        attrs = _attrs(option["attrs"])
        rows.append((option["type"], invalid, field.html_name, str(option["value"]), attrs,
                     option["attrs"].get("id", ""), str(option["label"]), errors))  # fmt: skip
    return format_html_join("", OPTION, rows)


def _optgroups(field: BoundField):
    widget = field.field.widget
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    return widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)


def _attribute(name: str, value) -> SafeString:
    if value is False:
        return mark_safe("")
    if value is True:
        return format_html(" {}", name)
    return format_html(' {}="{}"', name, str(value))


def _errors(field: BoundField) -> SafeString:
    if not field.errors:
        return mark_safe("")
    field_id = getattr(field.errors, "field_id", None) or field.auto_id
    messages = format_html_join("", ERROR, ((n, field.auto_id, e) for n, e in enumerate(field.errors, start=1)))
    return format_html('<div id="{}_error" class="invalid-feedback">{}</div>', field_id, messages)


def _help_text(field: BoundField) -> SafeString:
    if not field.help_text:
        return mark_safe("")
    target = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
    # crispy writes help texts unescaped (``|safe``): they are ours, and some hold markup.
    return format_html('<div {}class="form-text">{}</div>', target, mark_safe(str(field.help_text)))
