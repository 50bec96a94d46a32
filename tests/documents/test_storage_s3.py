"""Documents on S3 (moto's server on 127.0.0.1): stored once, pre-signed links that expire,
and WhatsApp fetching the PDF by that link."""

from __future__ import annotations

import time

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from invoices.services import (
    document_link,
    document_message_deliver,
    document_read,
    invoice_document,
    invoice_send,
)
from reminders.models import WhatsAppMessage
from tests.documents.conftest import bill, pdf_text
from tests.documents.s3_gateway import S3Gateway

pytestmark = pytest.mark.slow

BUCKET = "execora-documents"
KEYS = {"access_key": "testing-key", "secret_key": "testing-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="module")
def s3_server():
    """moto's S3 server behind the SigV4 gateway (tests/documents/s3_gateway.py)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    gateway = S3Gateway(upstream=f"http://{host}:{port}", secret_key=KEYS["secret_key"]).start()
    endpoint = gateway.url
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    ).create_bucket(Bucket=BUCKET)
    yield endpoint
    gateway.stop()
    server.stop()


@pytest.fixture
def s3(settings, s3_server):
    """The default storage switched to S3 (django-storages), as S3_BUCKET does in production."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "addressing_style": "path",
                "default_acl": None,
                "querystring_expire": 3600,
                "signature_version": "s3v4",
                **KEYS,
            },
        },
    }
    return boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=KEYS["access_key"],
        aws_secret_access_key=KEYS["secret_key"],
        region_name=KEYS["region_name"],
    )


def test_the_pdf_is_stored_in_the_bucket_and_its_presigned_link_expires(s3, gst_shop, local_buyer):
    # given an invoice whose PDF is made with S3 as the storage
    invoice = bill(gst_shop, local_buyer)
    document = invoice_document(business=gst_shop, invoice_id=invoice.pk)
    # then the object is in the bucket, byte for byte
    stored = s3.get_object(Bucket=BUCKET, Key=document.file.name)["Body"].read()
    assert stored == document_read(document)
    assert stored.startswith(b"%PDF-")
    assert "Sharma Kirana" in pdf_text(stored)
    # the object itself is private: no signature, no file
    assert httpx.get(f"{s3.meta.endpoint_url}/{BUCKET}/{document.file.name}").status_code == 403
    # a pre-signed link serves it while it lasts
    link = document_link(document, expires_in=1)
    assert "X-Amz-Signature=" in link and "X-Amz-Expires=1" in link
    answer = httpx.get(link)
    assert answer.status_code == 200 and answer.content == stored
    # and is refused once it has expired
    time.sleep(2.2)
    expired = httpx.get(link)
    assert expired.status_code == 403
    assert b"<Code>AccessDenied</Code><Message>Request has expired</Message>" in expired.content
    # a link whose signature was tampered with never worked at all
    forged = link.replace("X-Amz-Expires=1", "X-Amz-Expires=9999")
    assert httpx.get(forged).status_code == 403


def test_whatsapp_gets_the_pdf_by_its_presigned_link(
    s3, cloud, gst_shop, local_buyer, django_capture_on_commit_callbacks
):
    # given the cloud backend (the Graph stand-in) and S3 storage: documents go by link
    invoice = bill(gst_shop, local_buyer)
    with django_capture_on_commit_callbacks(execute=False):
        message = invoice_send(business=gst_shop, invoice_id=invoice.pk)
    # when the worker sends it
    assert document_message_deliver(message_id=message.pk) == "sent"
    # then WhatsApp was sent a link (not an upload), downloaded it, and got the stored PDF
    (accepted,) = cloud.accepted
    document = accepted.payload["document"]
    assert set(document) == {"link", "filename", "caption"}
    assert document["link"].startswith(s3.meta.endpoint_url) and not cloud.media
    (fetched,) = cloud.fetched
    message.refresh_from_db()
    stored = invoice_document(business=gst_shop, invoice_id=invoice.pk)
    assert fetched.data == document_read(stored)
    assert message.payload["by"] == "link" and message.status == WhatsAppMessage.Status.ACCEPTED
