"""Inline attachments (base64 `data`) of the stored resources, and their size limit.

An attachment sent by `url` alone carries no bytes here and is never limited."""
import binascii

from services.fhir.elements import lookup

# Where each stored type carries Attachments (R4): DocumentReference.content[].attachment and
# DiagnosticReport.presentedForm[] (a report as sent, often a PDF).
_ATTACHMENT_LISTS = {
    "DocumentReference": ("content", "attachment"),
    "DiagnosticReport": ("presentedForm", None),
}


def attachment_issues(resource: dict, max_bytes: int) -> list[str]:
    """Why the inline attachments of `resource` cannot be taken: those whose data decodes to
    more than `max_bytes` bytes."""
    issues = []
    for path, attachment in _attachments(resource):
        data = attachment.get("data")
        if not isinstance(data, str):
            continue
        try:
            size = len(binascii.a2b_base64(data))
        except binascii.Error:  # the R4B model refuses such data first
            issues.append(f"{path}.data is not base64")
            continue
        if size > max_bytes:
            issues.append(f"{path}.data decodes to {size} bytes, more than the {max_bytes} "
                          "allowed inline: send the document by url instead")
    return issues


def _attachments(resource: dict):
    resource_type = resource.get("resourceType")
    if resource_type not in _ATTACHMENT_LISTS:
        return
    list_name, inner = _ATTACHMENT_LISTS[resource_type]
    for i, item in enumerate(lookup(resource, list_name) or []):
        attachment = item.get(inner) if inner and isinstance(item, dict) else item
        if isinstance(attachment, dict):
            yield (f"{resource_type}.{list_name}[{i}]" + (f".{inner}" if inner else "")), attachment
