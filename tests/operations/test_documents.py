"""Operation documents through the app, on the demo data: who may list, upload, download, delete."""

from __future__ import annotations

import io
import re

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from opsplatform.audit.models import AuditAction, AuditEntry
from opsplatform.auth.operations import find_user_by_email
from opsplatform.core.files import StoredFile
from opsplatform.operations.documents import upload_document
from opsplatform.operations.models import DocumentCategory, Operation, OperationDocument
from tests.conftest import written_by_the_test
from tests.core.test_files import docx, html_page, pdf, png, windows_exe
from tests.support.clients import demo

pytestmark = pytest.mark.usefixtures("without_demo_documents")

DEMO = "CATALYST-DEMO"
OTHER = "PRECURSOR-DEMO"


def _operation_id(in_app, code: str = DEMO) -> int:
    with in_app() as session:
        return session.scalar(select(Operation.id).where(Operation.code == code))


def _add_document(in_app, code: str = DEMO, data: bytes | None = None,
                  title: str = "Operational plan v2") -> tuple[int, int]:
    """A document uploaded by the secretariat; returns (operation id, document id)."""
    with in_app() as session:
        operation = session.scalar(select(Operation).where(Operation.code == code))
        document = upload_document(operation, data or pdf("PLAN"), "plan.pdf", title,
                                   DocumentCategory.OPERATIONAL_PLAN, "",
                                   actor=find_user_by_email(demo("secretariat")))
        return operation.id, document.id


def _counts(in_app) -> tuple[int, int]:
    with in_app() as session:
        return (session.scalar(select(func.count(StoredFile.id))),
                session.scalar(select(func.count(OperationDocument.id))))


def _upload(client, operation_id: int, data: bytes, filename: str = "plan.pdf", **fields):
    """POST the upload form as a browser would, with its CSRF token."""
    form = {"csrf_token": client.csrf_token(), "file": FileStorage(io.BytesIO(data), filename),
            "title": "", "category": "operational_plan", "description": "", **fields}
    # Encoded in memory: the test client would spool a large body to a temporary file that
    # it never closes (a ResourceWarning, so an error here).
    boundary, body = encode_multipart(form)
    return client.post(f"/operations/{operation_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def _audit(in_app, action: AuditAction) -> list[AuditEntry]:
    with in_app() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                             written_by_the_test(current_app))
                                    .options(selectinload(AuditEntry.actor))
                                    .order_by(AuditEntry.id)))


# -- who may do what --------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["secretariat", "ocu"])
def test_secretariat_and_coordinator_upload(client_as, in_app, who):
    operation_id = _operation_id(in_app)
    client = client_as(who)
    page = client.get(f"/operations/{operation_id}/documents")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text

    response = _upload(client, operation_id, docx(), "Risk indicators.docx",
                       category="risk_indicators", description="Profiles for air cargo.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/operations/{operation_id}/documents"

    with in_app() as session:
        document = session.scalar(select(OperationDocument)
                                  .where(OperationDocument.operation_id == operation_id))
        assert document.title == "Risk indicators.docx"  # the file name, when no title is given
        assert document.category is DocumentCategory.RISK_INDICATORS
        assert document.description == "Profiles for air cargo."
        assert document.uploaded_by.email == demo(who)
        assert document.stored_file.content_type.endswith("wordprocessingml.document")
        document_id = document.id
    [entry] = _audit(in_app, AuditAction.DOCUMENT_UPLOADED)
    assert (entry.operation_id, entry.object_id) == (operation_id, document_id)
    assert entry.actor.email == demo(who)

    listing = client.get(f"/operations/{operation_id}/documents").text
    assert "“Risk indicators.docx” was uploaded." in listing
    assert "Risk indicators.docx" in listing
    assert "Word document" in listing
    assert "Profiles for air cargo." in listing
    assert f"/operations/{operation_id}/documents/{document_id}/download" in listing


@pytest.mark.parametrize("who", ["cp.jp", "observer"])
def test_contact_points_and_observers_read_but_do_not_change(client_as, in_app, who):
    operation_id, document_id = _add_document(in_app)
    client = client_as(who)

    page = client.get(f"/operations/{operation_id}/documents")
    assert page.status_code == 200
    assert "Operational plan v2" in page.text
    assert "multipart/form-data" not in page.text
    assert f"/documents/{document_id}/delete" not in page.text

    download = client.get(f"/operations/{operation_id}/documents/{document_id}/download")
    assert download.status_code == 200
    assert download.data == pdf("PLAN")

    assert _upload(client, operation_id, pdf()).status_code == 403
    assert client.post_form(
        f"/operations/{operation_id}/documents/{document_id}/delete").status_code == 403
    assert _counts(in_app) == (1, 1)


@pytest.mark.parametrize("who", ["cp.br", "admin"])
def test_outsiders_get_404_for_everything(client_as, in_app, who):
    """BR takes part only in PRECURSOR-DEMO; the platform admin has no membership."""
    operation_id, document_id = _add_document(in_app)
    client = client_as(who)
    base = f"/operations/{operation_id}/documents"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/{document_id}/download").status_code == 404
    assert _upload(client, operation_id, pdf()).status_code == 404
    assert client.post_form(f"{base}/{document_id}/delete").status_code == 404
    assert _counts(in_app) == (1, 1)
    assert _audit(in_app, AuditAction.DOCUMENT_DOWNLOADED) == []


def test_anonymous_visitor_is_sent_to_sign_in(client, in_app):
    operation_id, document_id = _add_document(in_app)
    response = client.get(f"/operations/{operation_id}/documents/{document_id}/download")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_a_document_of_another_operation_is_404(client_as, in_app):
    _, foreign_id = _add_document(in_app, OTHER, title="Precursor plan")
    operation_id = _operation_id(in_app)
    client = client_as("secretariat")  # sees both operations, yet the URL must match
    base = f"/operations/{operation_id}/documents/{foreign_id}"
    assert client.get(f"{base}/download").status_code == 404
    assert client.post_form(f"{base}/delete").status_code == 404
    assert "Precursor plan" not in client.get(f"/operations/{operation_id}/documents").text
    assert _counts(in_app) == (1, 1)


# -- downloads --------------------------------------------------------------------------------

def test_download_is_byte_exact_with_safe_headers(client_as, in_app):
    data = png()
    operation_id, document_id = _add_document(in_app, data=data)
    client = client_as("cp.jp")
    response = client.get(f"/operations/{operation_id}/documents/{document_id}/download")
    assert response.status_code == 200
    assert response.data == data
    assert response.headers["Content-Type"] == "image/png"
    # The stored name gains the extension of what the content is.
    assert response.headers["Content-Disposition"] == "attachment; filename=plan.pdf.png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_every_download_is_audited(client_as, in_app):
    operation_id, document_id = _add_document(in_app)
    client = client_as("observer")
    url = f"/operations/{operation_id}/documents/{document_id}/download"
    for _ in range(3):
        assert client.get(url).status_code == 200
    entries = _audit(in_app, AuditAction.DOCUMENT_DOWNLOADED)
    assert len(entries) == 3
    for entry in entries:
        assert (entry.operation_id, entry.object_type, entry.object_id) == (
            operation_id, "operation_documents", document_id)
        assert entry.actor.email == demo("observer")
        assert entry.details["filename"] == "plan.pdf"


def test_non_ascii_file_names_download_intact(client_as, in_app):
    operation_id = _operation_id(in_app)
    client = client_as("ocu")
    assert _upload(client, operation_id, pdf(), "Plan d'opération été.pdf").status_code == 302
    with in_app() as session:
        document_id = session.scalar(select(OperationDocument.id))
    response = client.get(f"/operations/{operation_id}/documents/{document_id}/download")
    assert "filename*=UTF-8''Plan%20d%27op%C3%A9ration%20%C3%A9t%C3%A9.pdf" in \
        response.headers["Content-Disposition"]


# -- delete -----------------------------------------------------------------------------------

def test_coordinator_deletes_a_document_and_its_file(client_as, in_app):
    operation_id, document_id = _add_document(in_app)
    client = client_as("ocu")
    response = client.post_form(f"/operations/{operation_id}/documents/{document_id}/delete")
    assert response.status_code == 302
    assert _counts(in_app) == (0, 0)
    [entry] = _audit(in_app, AuditAction.DOCUMENT_DELETED)
    assert (entry.operation_id, entry.object_id, entry.subject) == (
        operation_id, document_id, "Operational plan v2")
    assert client.get(
        f"/operations/{operation_id}/documents/{document_id}/download").status_code == 404


# -- bad input: a clear message, the user's input kept, nothing saved -----------------------

@pytest.mark.parametrize("data, found", [
    (windows_exe(), "a Windows program (application/x-msdownload)"),
    (html_page(), "an HTML page (text/html)"),
], ids=["exe", "html"])
def test_disguised_file_is_refused_and_nothing_saved(client_as, in_app, data, found):
    operation_id = _operation_id(in_app)
    client = client_as("ocu")
    response = _upload(client, operation_id, data, "plan.pdf", title="Plan for week 3",
                       category="instructions", description="Read before the briefing.")
    assert response.status_code == 422
    assert f"plan.pdf is {found}, which the platform does not accept." in response.text
    assert 'class="error-summary"' in response.text
    # What the user typed is still there.
    assert 'value="Plan for week 3"' in response.text
    assert re.search(r'<option selected value="instructions">|'
                     r'<option value="instructions" selected>', response.text)
    assert "Read before the briefing.</textarea>" in response.text
    assert _counts(in_app) == (0, 0)
    assert _audit(in_app, AuditAction.DOCUMENT_UPLOADED) == []


def test_missing_file_is_a_form_error(client_as, in_app):
    operation_id = _operation_id(in_app)
    client = client_as("ocu")
    response = client.post_form(f"/operations/{operation_id}/documents",
                                {"title": "Plan", "category": "operational_plan"})
    assert response.status_code == 422
    assert "Choose a file to upload." in response.text
    assert _counts(in_app) == (0, 0)


def test_empty_file_is_refused(client_as, in_app):
    operation_id = _operation_id(in_app)
    response = _upload(client_as("ocu"), operation_id, b"", "plan.pdf")
    assert response.status_code == 422
    assert _counts(in_app) == (0, 0)


def test_file_over_the_configured_limit_is_refused(app, client_as, in_app, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1048576)
    operation_id = _operation_id(in_app)
    response = _upload(client_as("ocu"), operation_id, pdf(padding=1048576), "plan.pdf",
                       title="Big plan")
    assert response.status_code == 422
    assert "The file is larger than the limit of 1 MB (it is 1 MB)." in response.text
    assert 'value="Big plan"' in response.text
    assert _counts(in_app) == (0, 0)


def test_request_over_max_content_length_names_the_limit(app, client_as, in_app, monkeypatch):
    """Werkzeug refuses the body before any view runs; the page still says what to do."""
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 1048576)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2 * 1048576)
    operation_id = _operation_id(in_app)
    response = _upload(client_as("ocu"), operation_id, pdf(padding=3 * 1048576))
    assert response.status_code == 413
    assert "The file is larger than the limit of 1 MB. Nothing was uploaded" in response.text
    assert 'enctype="multipart/form-data"' in response.text  # the form, to try again
    assert 'aria-invalid="true"' in response.text
    assert _counts(in_app) == (0, 0)


def test_over_large_request_from_an_outsider_reveals_nothing(app, client_as, in_app,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1048576)
    operation_id = _operation_id(in_app)
    response = _upload(client_as("cp.br"), operation_id, pdf(padding=2 * 1048576))
    assert response.status_code == 413
    assert "The file is larger than the limit of" in response.text
    assert DEMO not in response.text
    assert _counts(in_app) == (0, 0)


# -- the page ---------------------------------------------------------------------------------

def test_upload_form_tells_the_browser_the_limit(app, client_as, in_app):
    operation_id = _operation_id(in_app)
    page = client_as("secretariat").get(f"/operations/{operation_id}/documents").text
    limit = app.config["UPLOAD_MAX_BYTES"]
    assert f'data-max-bytes="{limit}"' in page
    assert 'data-too-large-message="The file is larger than the limit of 25 MB.' in page
    assert 'data-busy-label="Uploading…"' in page
    assert "at most 25 MB" in page
    assert re.search(r'<label for="file">File</label>', page)
    assert 'aria-describedby="file-hint"' in page


def test_documents_tab_is_current(client_as, in_app):
    operation_id = _operation_id(in_app)
    page = client_as("cp.jp").get(f"/operations/{operation_id}/documents").text
    assert re.search(rf'href="/operations/{operation_id}/documents" aria-current="page"', page)
    assert "No documents yet." in page
