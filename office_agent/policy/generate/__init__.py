"""Writing checklists: Markdown, JSON and XLSX."""
