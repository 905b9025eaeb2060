"""The API's OpenAPI 3.1 description, served at ``/openapi.json`` and documented in
docs/server.md. Written out by hand (Starlette has no schema generator worth its weight here),
and checked against the routes by tests/test_server_api.py."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ocr_desktop import __version__

_ERROR = {
    "description": "Refused: a JSON error (never a traceback)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
_REGION = {
    "type": "object",
    "properties": {
        "index": {"type": "integer"},
        "label": {"type": "string", "enum": ["text", "table", "formula", "image"]},
        "content": {"type": "string"},
        "bbox_2d": {"type": "array", "items": {"type": "integer"}, "minItems": 4, "maxItems": 4},
    },
}
_PAGES = {"type": "array", "items": {"type": "array", "items": {"$ref": "#/components/schemas/Region"}}}
_REFUSALS = {
    "400": _ERROR,
    "401": _ERROR,
    "403": {
        **_ERROR,
        "description": "Refused: sent by a web page (an Origin not in cors_origins), or, "
        "without a token, addressed to a name that is not loopback (DNS rebinding)",
    },
    "413": _ERROR,
    "422": _ERROR,
    "429": {**_ERROR, "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def openapi_document(formats: Sequence[str]) -> dict[str, Any]:
    job_ref = {"$ref": "#/components/schemas/Job"}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OCR Desktop API",
            "version": __version__,
            "description": "GLM-OCR's SDK server and cloud layout_parsing endpoints, and jobs for long "
            "documents. Documents are sent, never named: paths and file:// URLs are refused.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                        }
                    },
                },
                "Region": _REGION,
                "Job": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["queued", "running", "paused", "done", "failed", "cancelled"],
                        },
                        "page_count": {"type": ["integer", "null"]},
                        "pages_total": {"type": "integer"},
                        "pages_done": {"type": "integer"},
                        "pages_failed": {"type": "integer"},
                        "regions_total": {"type": "integer"},
                        "regions_done": {"type": "integer"},
                        "error": {"type": ["string", "null"]},
                        "links": {"type": "object"},
                    },
                },
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/health": {
                "get": {
                    "summary": "Whether the server answers (no token needed)",
                    "security": [],
                    "responses": _ok("Up", {"type": "object", "properties": {"status": {"const": "ok"}}}),
                }
            },
            "/glmocr/parse": {
                "post": {
                    "summary": "GLM-OCR SDK server: read images (data URIs or base64), wait for the result",
                    "requestBody": _json_body(
                        {
                            "type": "object",
                            "properties": {
                                "images": {
                                    "oneOf": [
                                        {"type": "string"},
                                        {"type": "array", "items": {"type": "string"}},
                                    ]
                                },
                                "file": {"type": "string"},
                            },
                        }
                    ),
                    "responses": {
                        **_ok(
                            "json_result (pages of regions, bbox_2d on 0-1000) and markdown_result, "
                            "plus the MaaS-compatible fields",
                            {
                                "type": "object",
                                "properties": {
                                    "json_result": _PAGES,
                                    "markdown_result": {"type": "string"},
                                    "layout_details": _PAGES,
                                    "md_results": {"type": "string"},
                                },
                            },
                        ),
                        **_REFUSALS,
                    },
                }
            },
            "/api/paas/v4/layout_parsing": {
                "post": {
                    "summary": "The cloud's layout_parsing, as GLM-OCR's MaaSClient sends it",
                    "requestBody": _json_body(
                        {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "model": {"type": "string"},
                                "file": {"type": "string", "description": "data URI or base64"},
                                "start_page_id": {"type": "integer", "minimum": 1},
                                "end_page_id": {"type": "integer", "minimum": 1},
                            },
                        }
                    ),
                    "responses": {
                        **_ok(
                            "md_results, layout_details (bbox_2d in pixels) and data_info.pages sizes",
                            {
                                "type": "object",
                                "properties": {
                                    "md_results": {"type": "string"},
                                    "layout_details": _PAGES,
                                    "data_info": {"type": "object"},
                                    "usage": {"type": "object"},
                                },
                            },
                        ),
                        **_REFUSALS,
                    },
                }
            },
            "/v1/jobs": {
                "post": {
                    "summary": "Queue a document (multipart field 'file', optional 'pages' such as 1-3,7)",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["file"],
                                    "properties": {
                                        "file": {"type": "string", "format": "binary"},
                                        "pages": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "202": {
                            "description": "Queued",
                            "content": {"application/json": {"schema": job_ref}},
                        },
                        **_REFUSALS,
                    },
                }
            },
            "/v1/jobs/{job_id}": {
                "parameters": [
                    {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "get": {
                    "summary": "Progress: pages and regions done",
                    "responses": {**_ok("The job", job_ref), "404": _ERROR},
                },
                "delete": {
                    "summary": "Cancel the job",
                    "responses": {**_ok("The job", job_ref), "404": _ERROR},
                },
            },
            "/v1/jobs/{job_id}/result.{fmt}": {
                "parameters": [
                    {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "fmt",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(formats)},
                    },
                ],
                "get": {
                    "summary": "The finished job in an export format (the same file the app's export writes)",
                    "responses": {
                        "200": {"description": "The export"},
                        "409": {**_ERROR, "description": "Not finished yet"},
                        "404": _ERROR,
                    },
                },
            },
            "/openapi.json": {
                "get": {"summary": "This description", "responses": _ok("OpenAPI 3.1", {"type": "object"})}
            },
        },
    }
