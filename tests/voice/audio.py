"""Synthesised speech for voice tests and benchmarks: espeak-ng and flite, 16 kHz s16le mono.

Real engines, real audio: the recogniser under test hears what a TTS engine says, resampled
by sox to what the browser's AudioWorklet streams (16 kHz, 16-bit little-endian, mono).
"""

from __future__ import annotations

import functools
import io
import math
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

SAMPLE_RATE = 16000

# A spread of espeak-ng voices (accent + variant) and flite voices for the WER figures.
ESPEAK_VOICES = ("en-us", "en", "en-us+f3", "en+m3", "en-gb-x-rp", "en-029")
FLITE_VOICES = ("slt", "rms", "awb", "kal16")


def _to_pcm16k(wav: bytes) -> bytes:
    """Any WAV (espeak-ng speaks 22.05 kHz, flite 8 or 16 kHz) → 16 kHz s16le mono raw."""
    out = subprocess.run(
        ["sox", "-q", "-t", "wav", "-", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
         "-e", "signed-integer", "-t", "raw", "-"],
        input=wav, capture_output=True, check=True, timeout=30,
    )  # fmt: skip
    return out.stdout


@functools.lru_cache(maxsize=512)
def synthesize_pcm(
    text: str,
    voice: str = "en-us",
    speed: int | float = 160,
    engine: str = "espeak-ng",
    lead_ms: int = 300,
    tail_ms: int = 600,
) -> bytes:
    """`text` spoken by espeak-ng (voice like "en-us", "en+f3"; speed in words per minute)
    or flite (voice "slt", "rms", "awb", "kal16"; speed as a rate factor where 1.0 is normal,
    or words per minute ≥ 40, mapped to flite's duration stretch around 160 wpm).

    Returns 16 kHz s16le mono PCM with `lead_ms` of silence before and `tail_ms` after,
    so a recogniser sees speech start and end as it would from a microphone.
    """
    if engine == "espeak-ng":
        wav = subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(int(speed)), "--stdout", text],
            capture_output=True, check=True, timeout=30,
        ).stdout  # fmt: skip
    elif engine == "flite":
        rate = speed / 160 if speed >= 40 else float(speed)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out.wav"
            subprocess.run(
                ["flite", "-voice", voice, "--setf", f"duration_stretch={1 / rate:.3f}",
                 "-t", text, "-o", str(path)],
                capture_output=True, check=True, timeout=30,
            )  # fmt: skip
            wav = path.read_bytes()
    else:
        raise ValueError(f"unknown engine {engine!r}")
    pcm = _to_pcm16k(wav)
    return silence(lead_ms) + pcm + silence(tail_ms)


def silence(ms: int) -> bytes:
    return b"\x00\x00" * (SAMPLE_RATE * ms // 1000)


def add_noise(pcm: bytes, snr_db: float | None, *, seed: int = 0, kind: str = "white") -> bytes:
    """Mix noise into `pcm` at `snr_db` relative to the speech's power (samples above a floor),
    so the SNR describes the speech, not the silence around it. None → a faint floor only
    (−60 dBFS), which microphones always have and studio-clean synthesis lacks."""
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(len(x))
    if kind == "pink":
        spec = np.fft.rfft(noise)
        f = np.arange(len(spec), dtype=np.float64)
        f[0] = 1.0
        noise = np.fft.irfft(spec / np.sqrt(f), n=len(x))
    noise /= max(np.sqrt(np.mean(noise**2)), 1e-12)
    if snr_db is None:
        level = 32768 * 10 ** (-60 / 20)
    else:
        active = x[np.abs(x) > 0.02 * (np.abs(x).max() or 1)]
        p_speech = float(np.mean(active**2)) if len(active) else 1.0
        level = math.sqrt(p_speech / 10 ** (snr_db / 10))
    y = np.clip(x + noise * level, -32768, 32767).astype("<i2")
    return y.tobytes()


def chunks(pcm: bytes, ms: int = 20) -> list[bytes]:
    """Split PCM into `ms` chunks (20 ms = 640 bytes at 16 kHz), as a streaming client sends."""
    step = SAMPLE_RATE * 2 * ms // 1000
    return [pcm[i : i + step] for i in range(0, len(pcm), step)]


def pcm_to_wav(pcm: bytes, sample_rate: int = SAMPLE_RATE) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
    return buf.getvalue()


def synthesize_wav(text: str, **kwargs) -> bytes:
    """The same as `synthesize_pcm`, as a 16-bit PCM WAV file (for REST uploads, chromium)."""
    return pcm_to_wav(synthesize_pcm(text, **kwargs))
