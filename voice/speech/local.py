"""Local speech-to-text: pocketsphinx on the shop's own grammar (grammar.py).

    recognizer = LocalRecognizer(business=shop, language="en-IN")   # sync: reads the shop
    partials = await recognizer.feed(pcm)        # 16 kHz s16le mono, any chunk size
    final = await recognizer.finish()            # Transcript("Ramesh ko paanch sau ...", True)
    recognizer.woke                              # the wake phrase opened the utterance
    await recognizer.close()

What it understands: English and Hinglish commands said in Latin-script words, with this
shop's customer and product names (the bundled model is US English; Hindi in Devanagari is
not in it — STT_PROVIDER=deepgram or the browser's recogniser for Hindi). Speech that fits
no command comes back as "" (the grammar's garbage loop won), which the engine answers as
not understood, never as a guessed command.

Decoding runs in a worker thread (asyncio.to_thread) so the event loop stays free; at
~0.05–0.1× real time a 20 ms chunk costs 1–2 ms of CPU. Decoders take ~0.3 s to load the
acoustic model, so they are pooled per grammar and reused across utterances; a shop's
grammar is rebuilt only when its names change (grammar.shop_grammar).
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from voice.speech.base import SpeechError, Transcript
from voice.speech.grammar import GARBAGE_PREFIX, ShopGrammar, shop_grammar
from voice.speech.wake import split_wake

logger = logging.getLogger(__name__)

SAMPLE_RATE = 16000
# Wide beams keep the right path alive through studio-clean synthetic audio and noise
# (issue 7's measurements: 19–34% WER with default beams, 0–9% with these). bestpath=False:
# with wide beams the lattice pass made end_utt take up to 4.5 s.
DECODER_OPTIONS: dict[str, Any] = {
    "beam": 1e-80,
    "pbeam": 1e-80,
    "wbeam": 1e-60,
    "dither": True,
    # A fixed seed for the dither noise: the same audio gives the same transcript
    # (seed -1 picks one per process, and a command heard once would be missed the next run).
    "seed": 1,
    "bestpath": False,
    "loglevel": "ERROR",
}
# Hands-free: pocketsphinx's Endpointer says speech ended after ~0.4–0.5 s of non-speech.
ENDPOINT_WINDOW = 0.3
ENDPOINT_RATIO = 0.9
_POOL_IDLE_PER_GRAMMAR = 4
_POOL_GRAMMARS = 8


class _DecoderPool:
    """Idle decoders per grammar key: loading the acoustic model is the slow part."""

    def __init__(self) -> None:
        self._idle: OrderedDict[str, list[Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._dir = Path(tempfile.gettempdir()) / "execora-stt"

    def _files(self, grammar: ShopGrammar) -> tuple[Path, Path]:
        folder = self._dir / grammar.key
        dict_path, fsg_path = folder / "words.dict", folder / "grammar.fsg"
        if not fsg_path.exists():
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f"words.dict.{threading.get_ident()}"
            tmp.write_text(grammar.dictionary_text(), encoding="utf-8")
            tmp.replace(dict_path)
            lines = [
                "FSG_BEGIN execora",
                f"NUM_STATES {1 + max(max(t[0], t[1]) for t in grammar.transitions)}",
                f"START_STATE {grammar.start}",
                f"FINAL_STATE {grammar.final}",
            ]
            for t in grammar.transitions:
                word = f" {t[3]}" if len(t) > 3 else ""
                lines.append(f"TRANSITION {t[0]} {t[1]} {t[2]:.12f}{word}")
            lines.append("FSG_END")
            tmp = folder / f"grammar.fsg.{threading.get_ident()}"
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
            tmp.replace(fsg_path)
        return dict_path, fsg_path

    def acquire(self, grammar: ShopGrammar) -> Any:
        with self._lock:
            idle = self._idle.get(grammar.key)
            if idle:
                return idle.pop()
        return self._create(grammar)

    def _create(self, grammar: ShopGrammar) -> Any:
        from pocketsphinx import Config, Decoder, get_model_path

        dict_path, fsg_path = self._files(grammar)
        config = Config(
            hmm=str(Path(get_model_path()) / "en-us" / "en-us"),
            dict=str(dict_path),
            fsg=str(fsg_path),
            **DECODER_OPTIONS,
        )
        return Decoder(config)

    def release(self, grammar: ShopGrammar, decoder: Any) -> None:
        with self._lock:
            idle = self._idle.setdefault(grammar.key, [])
            self._idle.move_to_end(grammar.key)
            if len(idle) < _POOL_IDLE_PER_GRAMMAR:
                idle.append(decoder)
            while len(self._idle) > _POOL_GRAMMARS:
                self._idle.popitem(last=False)

    def warm(self, grammar: ShopGrammar) -> None:
        """Have one idle decoder ready for this grammar (after a rebuild, before speech)."""
        with self._lock:
            if self._idle.get(grammar.key):
                return
        self.release(grammar, self._create(grammar))

    def clear(self) -> None:
        with self._lock:
            self._idle.clear()


_pool = _DecoderPool()


def recognizer_warm(*, business: Any) -> ShopGrammar:
    """Build (or check) the shop's grammar and load a decoder for it; sync, reads the shop."""
    grammar = shop_grammar(business_id=business.pk)
    _pool.warm(grammar)
    return grammar


class LocalRecognizer:
    """One utterance on pocketsphinx with the shop's grammar (base.SpeechRecognizer)."""

    def __init__(
        self,
        *,
        business: Any,
        language: str,
        sample_rate: int = SAMPLE_RATE,
        grammar: ShopGrammar | None = None,
    ) -> None:
        if sample_rate != SAMPLE_RATE:
            raise SpeechError(
                f"The local recogniser takes 16 kHz audio, not {sample_rate} Hz.",
                code="bad_sample_rate",
            )
        from pocketsphinx import Endpointer

        self.sample_rate = sample_rate
        self.language = language
        # Reads the shop (names, stamp): call from sync code or database_sync_to_async.
        # (`grammar` given: benchmarks and tests of the audio path alone, no shop.)
        self._grammar = grammar or shop_grammar(business_id=business.pk)
        self._decoder: Any = _pool.acquire(self._grammar)
        self._decoder.start_utt()
        self._endpointer = Endpointer(
            window=ENDPOINT_WINDOW, ratio=ENDPOINT_RATIO, sample_rate=sample_rate
        )
        self._ep_buffer = b""
        self._odd = b""
        self._partial = ""
        self._heard_speech = False
        self._ended = False
        self._finished: Transcript | None = None
        self._closed = False
        self.woke = False
        self.audio_seconds = 0.0
        self.cpu_seconds = 0.0
        self.end_utt_ms: float | None = None

    # --- streaming ------------------------------------------------------------------

    async def feed(self, pcm: bytes) -> list[Transcript]:
        if self._finished is not None or self._closed:
            return []
        pcm = self._odd + pcm
        if len(pcm) % 2:
            pcm, self._odd = pcm[:-1], pcm[-1:]
        else:
            self._odd = b""
        if not pcm:
            return []
        text = await asyncio.to_thread(self._process, pcm)
        if text != self._partial and text:
            self._partial = text
            return [Transcript(text=text, final=False)]
        return []

    def _process(self, pcm: bytes) -> str:
        started = time.process_time()
        self._decoder.process_raw(pcm, False, False)
        self._endpoint(pcm)
        hyp = self._decoder.hyp()
        self.cpu_seconds += time.process_time() - started
        self.audio_seconds += len(pcm) / (2 * self.sample_rate)
        return self._clean(hyp.hypstr if hyp is not None else "")[1]

    def _endpoint(self, pcm: bytes) -> None:
        ep = self._endpointer
        self._ep_buffer += pcm
        size = ep.frame_bytes
        while len(self._ep_buffer) >= size:
            frame, self._ep_buffer = self._ep_buffer[:size], self._ep_buffer[size:]
            was = ep.in_speech
            ep.process(frame)
            if ep.in_speech:
                self._heard_speech = True
            elif was and self._heard_speech:
                self._ended = True

    def speech_ended(self) -> bool:
        return self._ended

    async def finish(self) -> Transcript:
        if self._finished is not None:
            return self._finished
        if self._closed:
            return Transcript(text="", final=True)
        text = await asyncio.to_thread(self._end)
        self._finished = Transcript(text=text, final=True, confidence=1.0 if text else 0.0)
        return self._finished

    def _end(self) -> str:
        started = time.perf_counter()
        self._decoder.end_utt()
        self.end_utt_ms = (time.perf_counter() - started) * 1000
        hyp = self._decoder.hyp()
        hypstr = hyp.hypstr if hyp is not None else ""
        words = [w for w in hypstr.split() if not w.startswith(("<", "[", "+"))]
        if words and not self._grammar.accepts(words):
            # No path reached the end of the grammar: what pocketsphinx returns is a
            # truncated command ("Ramesh ko paanch sau"), which must not be run.
            return ""
        woke, text = self._clean(hypstr)
        self.woke = woke
        return text

    def _clean(self, hypstr: str) -> tuple[bool, str]:
        """Grammar words → transcript: garbage means nothing understood; the wake phrase is
        taken off (and remembered); names get their shop spelling."""
        words = [w for w in hypstr.split() if not w.startswith(("<", "[", "+"))]
        if any(w.startswith(GARBAGE_PREFIX) for w in words):
            return False, ""
        display = self._grammar.display
        wake = split_wake(" ".join(words))
        text = " ".join(display.get(w, w) for w in wake.command.split())
        return wake.woke, text

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        decoder, self._decoder = self._decoder, None
        if decoder is None:
            return
        if self._finished is None:
            try:
                await asyncio.to_thread(decoder.end_utt)
            except RuntimeError:
                return  # a decoder in an unknown state is not reused
        _pool.release(self._grammar, decoder)

    def __del__(self) -> None:  # an abandoned recogniser still returns its decoder
        if not getattr(self, "_closed", True) and getattr(self, "_decoder", None) is not None:
            if self._finished is None:
                try:
                    self._decoder.end_utt()
                except RuntimeError:
                    return
            _pool.release(self._grammar, self._decoder)
