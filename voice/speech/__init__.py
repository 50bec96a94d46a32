"""Speech-to-text and text-to-speech providers behind the interfaces of base.py."""
