"""Fake LLM servers for the opt-in LLM tests: real HTTP on 127.0.0.1, speaking the OpenAI and Ollama APIs.

``FakeOpenAI.mode``: ok (answer ``FakeOpenAI.answer`` as JSON), malformed, slow (past a 1-2 s client timeout),
refuse (HTTP 403). Every request body is kept in ``requests`` so a test can check what left the machine.
"""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar


class FakeOpenAI(BaseHTTPRequestHandler):
    mode = "ok"
    answer: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if self.mode == "refuse":
            self._send(403, {"error": {"message": "forbidden", "type": "permission_error"}})
            return
        if self.mode == "slow":
            time.sleep(3)
        content = "{not json" if self.mode == "malformed" else json.dumps(self.answer, ensure_ascii=False)
        self._send(
            200,
            {
                "id": "cmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "m"),
                "choices": [
                    {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
                ],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            },
        )

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeOllama(BaseHTTPRequestHandler):
    """Ollama's /api/chat, streamed as NDJSON the way the real server answers."""

    answer: ClassVar[dict[str, Any]] = {}
    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        content = json.dumps(self.answer, ensure_ascii=False)
        lines = [
            {"model": body["model"], "created_at": "2026-01-01T00:00:00Z",
             "message": {"role": "assistant", "content": content}, "done": False},
            {"model": body["model"], "created_at": "2026-01-01T00:00:00Z",
             "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
             "total_duration": 1, "load_duration": 1, "prompt_eval_count": 1, "eval_count": 1},
        ]  # fmt: skip
        data = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
