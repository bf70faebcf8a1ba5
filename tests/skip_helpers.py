"""A small checklist with skip logic, a cross-item constraint and the new item types,
and a way to start a shopper's visit on any stored checklist."""

from __future__ import annotations

from checklists import load_checklist_text
from fieldapp.storage import checklist_store, stores, users, visits

SKIP_YAML = """\
id: sample-check
version: 1
kind: mystery_shop
title: {ko: 시식 점검, en: Sample check}
stages:
  - key: counter
    title: {ko: 카운터, en: Counter}
    journey_stage: purchase
    touchpoints:
      - key: sampling
        title: {ko: 시식, en: Sampling}
        items:
          - {key: how_to, type: note, title: {ko: 안내, en: Read first}, help: {ko: 조용히, en: Quietly}}
          - {key: sample_offered, type: yes_no, title: {ko: 시식 제안, en: Sample offered}, required: true}
          - key: why_not
            type: text
            title: {ko: 이유, en: Why not}
            required: true
            relevant: "${sample_offered} = 'no'"
          - key: sample_taste
            type: rating
            title: {ko: 맛, en: Taste}
            relevant: "${sample_offered} = 'yes'"
          - key: capacity
            type: number
            title: {ko: 정원, en: Capacity}
          - key: people
            type: number
            title: {ko: 대기 인원, en: People waiting}
            constraint: ". <= ${capacity}"
            constraint_message: {ko: 정원 이하로 입력, en: At most the capacity}
          - key: extras
            type: multi_choice
            title: {ko: 추가 서비스, en: Extras}
            choices:
              - {key: napkin, label: {ko: 냅킨, en: Napkin}, score: 1}
              - {key: coupon, label: {ko: 쿠폰, en: Coupon}, score: 1}
          - key: coupon_value
            type: number
            title: {ko: 쿠폰 금액, en: Coupon value}
            relevant: "selected(${extras}, 'coupon')"
          - {key: seen_on, type: date, title: {ko: 날짜, en: Day}}
          - {key: served_at, type: datetime, title: {ko: 응대 시각, en: Served at}, deadline_hours: 1}
          - {key: signed, type: signature, title: {ko: 서명, en: Signature}}
"""


def skip_checklist():
    return load_checklist_text(SKIP_YAML, source="sample-check.yaml")


def shopper_visit(db, checklist=None, started_at: str | None = None) -> int:
    """A draft visit of ``shopper`` on ``checklist`` (stored and published if new)."""
    row_id = checklist_store.save_checklist(db, checklist or skip_checklist())
    shopper = users.get_by_username(db, "shopper")
    store = stores.org_stores(db, shopper["org_id"])[0]
    return visits.create_visit(db, checklist_row_id=row_id, store_id=store["id"],
                               auditor_id=shopper["id"], covert=True, started_at=started_at)


def skip_xlsx(path, *, broken: bool = False):
    """The sample checklist as an XLSForm; ``broken``: row 5 (sample_offered) gets weight -1."""
    import openpyxl

    from checklists.xlsform_write import write_xlsform

    write_xlsform(skip_checklist(), path)
    if broken:
        wb = openpyxl.load_workbook(path)
        ws = wb["survey"]
        header = [c.value for c in ws[1]]
        ws.cell(row=5, column=header.index("weight") + 1, value=-1)
        wb.save(path)
    return path
