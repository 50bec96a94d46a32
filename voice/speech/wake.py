"""The wake phrase for hands-free mode: "Suno Execora" / "Hey Execora".

Detected without a cloud service, as a rule of the local recogniser's own grammar (an
utterance may be the wake phrase alone, or the wake phrase followed by a command). The
recogniser strips it from the transcript and sets `woke`; `split_wake` does the same for a
transcript from any provider (Deepgram, the browser), where it is plain text.

pocketsphinx's keyphrase spotting alone found "hey execora" in 1 of 8 espeak-ng voices
(issue 8); as a grammar rule competing with a garbage loop it is found in all of them
(docs/benchmarks.md, "Speech recognition").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.speech.grammar import WAKE_PHRASES

# How other recognisers spell what they hear: "Hey Execora,", "suno execora", "hey exec aura".
_WAKE_RE = re.compile(
    r"^\s*(?:suno|sunno|hey|hi|hay|okay|ok)[\s,]+(?:execora|exe?\s*cora|exec\s*aura|ex\s*ecora)"
    r"\b[\s,.!?]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Wake:
    woke: bool
    command: str  # the rest of the utterance after the wake phrase ("" when none)


def split_wake(text: str) -> Wake:
    """Whether `text` opens with the wake phrase, and the command that follows it."""
    match = _WAKE_RE.match(text or "")
    if match is None:
        return Wake(False, (text or "").strip())
    return Wake(True, text[match.end() :].strip())


__all__ = ["WAKE_PHRASES", "Wake", "split_wake"]
