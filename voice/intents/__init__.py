"""Sentence → intent (shared/intents/SCHEMA.md): the local parser and the intent contract.

from voice.intents import parse, Intent
parse("Ramesh ko 500 udhaar diya", now=timezone.localtime())
"""

from voice.intents.parser import parse
from voice.intents.schema import INTENTS, REQUIRED, Intent, IntentValidationError, validate

__all__ = ["INTENTS", "REQUIRED", "Intent", "IntentValidationError", "parse", "validate"]
