"""The command engine: providers (sentence → intent), resolve (names → records), policy
(when to ask first), replies (what to say), executor (intent → services), conversation
(the question waiting for an answer). voice.services.command_run ties them together."""
