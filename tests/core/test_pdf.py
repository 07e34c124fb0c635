"""PDF rendering fetches nothing from outside the package."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from opsplatform.core.pdf import STATIC_ROOT, PackageOnlyFetcher
from opsplatform.operations.models import DocumentCategory, Operation, OperationDocument


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:9/tracker.png",
    "https://example.org/font.woff2",
    "ftp://example.org/x",
    "file:///etc/passwd",
    f"file://{STATIC_ROOT}/../../config.py",
])
def test_the_fetcher_refuses_what_is_not_the_packages_own(url):
    with pytest.raises(ValueError):
        PackageOnlyFetcher().fetch(url)


def test_the_fetcher_serves_static_files_and_data_urls():
    favicon = PackageOnlyFetcher().fetch(f"file://{STATIC_ROOT}/favicon.svg")
    assert b"<svg" in favicon.read()
    assert PackageOnlyFetcher().fetch("data:text/plain,hello").read() == b"hello"


def test_the_demo_plan_is_a_pdf_document_of_the_operation(client_as, in_app):
    with in_app() as session:
        operation = session.scalar(select(Operation).where(Operation.code == "CATALYST-DEMO"))
        document = session.scalar(select(OperationDocument).where(
            OperationDocument.operation_id == operation.id,
            OperationDocument.category == DocumentCategory.OPERATIONAL_PLAN))
        url = f"/operations/{operation.id}/documents/{document.id}/download"
    response = client_as("cp.jp").get(url)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
