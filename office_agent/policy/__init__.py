"""The guides-and-policies flow: 办事指南, regulations and expense policies become cited checklists.

It mirrors the invoice flow, over the shared models in ``office_agent.policy_models``:

- ``policy.ingest``: reading a document of any form (PDF text layer or OCR, DOCX, HTML and server templates,
  Markdown, plain text, scans and photos) into blocks with their locations;
- ``policy.extract``: finding the procedures of a guide, their items (materials, conditions, places, fees, …) and
  answering a question with the procedure it asks about;
- ``policy.generate``: writing the checklist (Markdown, JSON, XLSX).

``policy.checklist`` runs the three for a list of paths; it is what the CLI, ``ask`` and notebooks call.
"""
