"""Utterance audio through Django storage on S3 (moto's S3 server on 127.0.0.1 stands in
for MinIO/AWS), and the retention purge that deletes it."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from django.utils import timezone
from moto.server import ThreadedMotoServer
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from voice.models import Utterance, VoiceSession
from voice.recordings import UtteranceRecord, utterance_record, voice_audio_purge
from voice.tasks import purge_voice_audio

pytestmark = pytest.mark.django_db
BUCKET = "execora-voice"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(settings, s3_server):
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.AWS_STORAGE_BUCKET_NAME = BUCKET
    settings.AWS_S3_ENDPOINT_URL = s3_server
    settings.AWS_S3_REGION_NAME = "us-east-1"
    settings.AWS_ACCESS_KEY_ID = "test"
    settings.AWS_SECRET_ACCESS_KEY = "test"
    settings.AWS_DEFAULT_ACL = None
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    # Last: changing STORAGES makes Django drop the storage it built for the old settings.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def _record(shop, owner, *, pcm: bytes = b"\x01\x00" * 16000) -> Utterance:
    session = VoiceSession.objects.create(business=shop, user=owner)
    return utterance_record(
        session_id=session.pk,
        business=shop,
        user=owner,
        record=UtteranceRecord(
            source="audio", pcm=pcm, transcript="aaj ki bikri", reply_audio=b"RIFF-reply"
        ),
    )


def test_utterance_audio_is_stored_on_s3_and_served_through_the_api(shop, owner, s3):
    # When an utterance is recorded
    utterance = _record(shop, owner)

    # Then its WAV and the reply are objects in the bucket, under the shop's prefix
    keys = _keys(s3)
    assert keys == sorted([utterance.audio.name, utterance.reply_audio.name])
    assert all(key.startswith(f"voice/{shop.pk}/") for key in keys)
    stored = s3.get_object(Bucket=BUCKET, Key=utterance.audio.name)["Body"].read()
    assert stored[:4] == b"RIFF" and len(stored) == 44 + 32000
    assert utterance.audio_duration_ms == 1000

    # And the API streams it back from S3 to a member of the shop
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    url = f"/api/v1/voice-sessions/{utterance.session_id}/utterances/{utterance.pk}/audio/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored


def test_the_purge_deletes_old_audio_from_s3_and_keeps_the_transcript(shop, owner, s3, settings):
    settings.VOICE_AUDIO_RETENTION_DAYS = 30
    settings.VOICE_SESSION_RETENTION_DAYS = 365
    old = _record(shop, owner)
    Utterance.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    fresh = _record(shop, owner)

    assert purge_voice_audio.apply().get() == {"files": 2, "rows": 0}

    old.refresh_from_db()
    assert not old.audio and not old.reply_audio and old.transcript == "aaj ki bikri"
    assert _keys(s3) == sorted([fresh.audio.name, fresh.reply_audio.name])
    # Sessions past the row retention go, utterances with them
    VoiceSession.objects.filter(pk=old.session_id).update(
        started_at=timezone.now() - dt.timedelta(days=400)
    )
    assert voice_audio_purge() == {"files": 0, "rows": 2}  # the session and its utterance
    assert not Utterance.objects.filter(pk=old.pk).exists()
    assert Utterance.objects.filter(pk=fresh.pk).exists()


def test_no_audio_is_kept_when_retention_is_zero(shop, owner, s3, settings):
    settings.VOICE_AUDIO_RETENTION_DAYS = 0
    utterance = _record(shop, owner)
    assert not utterance.audio and _keys(s3) == []


def test_the_admin_plays_a_shops_own_recordings_only(shop, owner, settings, tmp_path):
    from django.test import Client

    from tests.factories import BusinessFactory, member

    settings.MEDIA_ROOT = tmp_path
    utterance = _record(shop, owner)
    owner.is_staff = True
    owner.save()
    client = Client()
    client.force_login(owner)
    page = client.get(f"/admin/voice/voicesession/{utterance.session_id}/change/")
    assert page.status_code == 200
    player = f"/admin/voice/voicesession/{utterance.session_id}/utterance/{utterance.pk}/audio/"
    assert f'<audio controls preload="none" src="{player}"' in page.content.decode()
    audio = client.get(player)
    assert audio.status_code == 200 and b"".join(audio.streaming_content)[:4] == b"RIFF"

    other = member(BusinessFactory(name="Gupta Store"), "owner", username="gupta", is_staff=True)
    client.force_login(other)
    assert client.get(player).status_code == 404
    assert client.get(f"/admin/voice/voicesession/{utterance.session_id}/change/").status_code in (
        302,
        404,
    )
