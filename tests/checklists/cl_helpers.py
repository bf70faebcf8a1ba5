"""Shared helpers for the checklists tests."""
import textwrap

BASE = textwrap.dedent("""\
    id: demo
    version: 1
    kind: mystery_shop
    title: {ko: 데모, en: Demo}
    stages:
      - key: s1
        title: {ko: 단계, en: Stage}
        journey_stage: purchase
        touchpoints:
          - key: t1
            title: Touchpoint
            importance: 4
            items:
              - key: greeted
                type: yes_no
                title: Greeted
                weight: 1
              - key: wait
                type: timer
                title: Wait
                target_sec: 60
              - key: mood
                type: rating
                mode: emotional
                title: Mood
    """)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing needle (so tests don't hard-code lines)."""
    for n, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(f"{needle!r} not in text")
