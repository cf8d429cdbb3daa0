"""Clinical notes, guidance and adjudication: the clinician's own records about sessions.

- notes: a note per session (live or archived) with every revision in the database, signing (a
  signed note is immutable) and addenda; its text is Markdown, rendered safely (``markdown``).
- guidance: the therapist's standing guidance to the chatbot per client (theme, focus, topics to
  avoid), seeded into new sessions and written into live ones.
- adjudication: clinicians accept, reject or relabel what the chatbot inferred (milestones,
  breakthroughs); ``agreement`` measures how often they agree with it.

A Django app of its own (label ``notes``). Services take an ``Actor`` (never a request) and keyword
arguments; views are thin. Nothing here logs note text.
"""
