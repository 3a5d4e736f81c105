"""The committed OpenAPI document is valid, self-contained and complete at the top level."""

from typing import Any

from openapi_spec_validator import validate

from tests.contract.document import load_document, operations

PROBLEM_JSON = "application/problem+json"
MERGE_PATCH = "application/merge-patch+json"


def _nodes(node: Any) -> list[Any]:
    """The node and everything inside it."""
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    return [node, *(inner for child in children for inner in _nodes(child))]


def _resolve(document: dict[str, Any], ref: str) -> Any:
    """A local JSON Pointer (RFC 6901), the only kind the document may use."""
    assert ref.startswith("#/"), f"{ref} is not a reference inside the document"
    node: Any = document
    for token in ref[2:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), f"{ref} does not resolve"
        assert key in node, f"{ref} does not resolve"
        node = node[key]
    return node


def test_document_is_valid_openapi() -> None:
    validate(load_document())


def test_every_ref_resolves() -> None:
    # The validator only follows the references it needs, so a dangling one can pass it.
    document = load_document()
    refs = {node["$ref"] for node in _nodes(document) if isinstance(node, dict) and "$ref" in node}
    assert refs
    for ref in sorted(refs):
        _resolve(document, ref)


def test_error_responses_are_problem_json_only() -> None:
    for method, path, operation in operations(load_document()):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                media_types = set(response["content"])
                assert media_types == {PROBLEM_JSON}, f"{method.upper()} {path} {status}"


def test_every_tag_used_is_declared_with_a_description() -> None:
    document = load_document()
    declared = {tag["name"]: tag.get("description") for tag in document["tags"]}
    used = {tag for _, _, operation in operations(document) for tag in operation["tags"]}
    assert used <= set(declared), used - set(declared)
    assert all(declared.values()), declared


def test_servers_license_and_contact_are_set() -> None:
    document = load_document()
    assert document["servers"][0]["url"] == "/"
    assert all(server.get("description") for server in document["servers"])
    assert document["info"]["license"]["identifier"] == "MIT"
    contact = document["info"]["contact"]
    assert contact["name"]
    assert contact["url"].startswith("https://")


def test_merge_patch_bodies_are_the_put_body_made_partial() -> None:
    document = load_document()
    patched = 0
    for path, methods in document["paths"].items():
        content = methods.get("patch", {}).get("requestBody", {}).get("content", {})
        if MERGE_PATCH not in content:
            continue
        patched += 1
        patch = _resolve(document, content[MERGE_PATCH]["schema"]["$ref"])
        put_ref = methods["put"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        replacement = _resolve(document, put_ref)
        assert set(patch["properties"]) == set(replacement["properties"]), path
        assert patch["additionalProperties"] is False, path
        assert "required" not in patch, path
        for name, prop in patch["properties"].items():
            nullable = {"type": "null"} in prop.get("anyOf", [])
            # Null removes a field, which only a field with a default survives.
            assert nullable == (name not in replacement["required"]), f"{path} {name}"
            assert "default" not in prop, f"{path} {name}: a left-out field keeps its value"
    assert patched


def test_every_discriminator_is_required_by_its_variants() -> None:
    # The server picks the variant by it, so a body that leaves it out is refused.
    document = load_document()
    discriminators = [
        node["discriminator"]
        for node in _nodes(document)
        if isinstance(node, dict) and "discriminator" in node
    ]
    assert discriminators
    for discriminator in discriminators:
        for ref in discriminator["mapping"].values():
            variant = _resolve(document, ref)
            assert discriminator["propertyName"] in variant["required"], ref
