"""The API's endpoints against the real server (uvicorn on 127.0.0.1, the real pipeline, the
scripted backend reading): the request shapes of GLM-OCR's SDK server tests, the cloud's
layout_parsing, jobs with progress, results and cancel, and the OpenAPI description."""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ocr_desktop import exporters
from ocr_desktop.server.app import ApiOptions, create_app
from ocr_desktop.server.jobs import upload_root
from ocr_desktop.settings import Settings
from tests.backends import ScriptedBackend
from tests.fixtures.files import make_pdf
from tests.server_rig import TIMEOUT, Served, data_uri, png_bytes, running_server


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with running_server(store_path=tmp_path / "jobs.sqlite3") as s:
        yield s


# -- /glmocr/parse: the shapes of the SDK server's own tests (glmocr/tests/test_unit.py) ---------


def test_images_field_gives_json_result_and_markdown(served: Served) -> None:
    with served.client() as client:
        response = client.post("/glmocr/parse", json={"images": [data_uri(png_bytes())]})
    assert response.status_code == 200, response.text
    body = response.json()
    [[region]] = body["json_result"]
    assert region == {
        "index": 0,
        "label": "text",
        "content": body["markdown_result"],
        "bbox_2d": [0, 0, 1000, 1000],
    }
    assert body["markdown_result"].startswith("page 1 (")
    # the MaaS-compatible fields the SDK server adds
    assert body["layout_details"] == body["json_result"]
    assert body["md_results"] == body["markdown_result"]
    assert body["data_info"] == {"pages": []}
    assert body["model"] == "glm-ocr"
    assert body["usage"]["completion_tokens"] == 8
    assert isinstance(body["created"], int)


def test_file_field_accepted_as_input_and_images_take_priority(served: Served) -> None:
    small, large = data_uri(png_bytes(size=(300, 200))), data_uri(png_bytes(size=(600, 400)))
    with served.client() as client:
        by_file = client.post("/glmocr/parse", json={"file": small})
        both = client.post("/glmocr/parse", json={"images": [large], "file": small})
        single_string = client.post("/glmocr/parse", json={"images": small})
    assert by_file.status_code == both.status_code == single_string.status_code == 200
    # the scripted backend writes the page size it saw: the image read is the one expected
    assert by_file.json()["markdown_result"] == single_string.json()["markdown_result"]
    assert by_file.json()["markdown_result"] != both.json()["markdown_result"]


@pytest.mark.parametrize("body", [{"file": ""}, {}, {"file": 12345}, {"images": []}])
def test_no_images_is_400(served: Served, body: dict[str, object]) -> None:
    with served.client() as client:
        response = client.post("/glmocr/parse", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_images"


def test_several_images_are_several_documents_joined_like_the_sdk_server(served: Served) -> None:
    with served.client() as client:
        response = client.post(
            "/glmocr/parse", json={"images": [data_uri(png_bytes()), data_uri(png_bytes())]}
        )
    body = response.json()
    assert len(body["json_result"]) == 2  # one result per image
    assert body["markdown_result"].count("\n\n---\n\n") == 1
    assert len(served.store.list_jobs()) == 2


def test_multipart_files_are_accepted(served: Served) -> None:
    with served.client() as client:
        response = client.post("/glmocr/parse", files=[("files", ("a.png", png_bytes(), "image/png"))])
    assert response.status_code == 200, response.text
    assert response.json()["markdown_result"].startswith("page 1")


# -- the cloud's layout_parsing ------------------------------------------------------------------


def test_layout_parsing_answers_in_pixels_with_page_sizes_and_honours_the_page_range(
    served: Served, tmp_path: Path
) -> None:
    pdf = make_pdf(tmp_path / "four.pdf", pages=4)
    with served.client() as client:
        response = client.post(
            "/api/paas/v4/layout_parsing",
            json={"model": "glm-ocr", "file": data_uri(pdf.read_bytes(), "application/pdf"),
                  "start_page_id": 2, "end_page_id": 3},
        )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    pages = body["data_info"]["pages"]
    assert len(pages) == len(body["layout_details"]) == 2  # pages 2 and 3
    for size, [region] in zip(pages, body["layout_details"], strict=True):
        assert region["bbox_2d"] == [0, 0, size["width"], size["height"]]
    assert body["md_results"].startswith("page 2")
    assert "page 3" in body["md_results"]


def test_layout_parsing_accepts_bare_base64_and_refuses_a_bad_page_range(served: Served) -> None:
    import base64

    with served.client() as client:
        ok = client.post("/api/paas/v4/layout_parsing", json={"file": base64.b64encode(png_bytes()).decode()})
        bad = client.post(
            "/api/paas/v4/layout_parsing", json={"file": data_uri(png_bytes()), "start_page_id": 0}
        )
    assert ok.status_code == 200
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_page_range"


# -- jobs ------------------------------------------------------------------------------------------


def test_a_job_is_queued_polled_and_exported_in_every_format(served: Served, tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.pdf", pages=3)
    with served.client() as client:
        created = client.post("/v1/jobs", files={"file": ("report.pdf", pdf.read_bytes(), "application/pdf")})
        assert created.status_code == 202
        job = created.json()
        assert created.headers["location"] == f"/v1/jobs/{job['id']}"
        seen = []
        deadline = time.monotonic() + TIMEOUT
        while (status := client.get(f"/v1/jobs/{job['id']}").json())["status"] != "done":
            seen.append(status["pages_done"])
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert status["pages_total"] == status["pages_done"] == 3 and status["name"] == "report.pdf"
        results = {fmt: client.get(f"/v1/jobs/{job['id']}/result.{fmt}") for fmt in exporters.TEXT_FORMATS}
        missing = client.get(f"/v1/jobs/{job['id']}/result.docx")
        document = served.store.document_result(job["id"])
        # after the text: the searchable PDF keeps the lines it reads with the page (and its JSON)
        searchable = client.get(f"/v1/jobs/{job['id']}/result.pdf")
    # the export's own text, naming the document as the client did, not by the server's path
    shown = dataclasses.replace(document, source="report.pdf")
    for fmt, response in results.items():
        assert response.status_code == 200
        assert response.text == exporters.render(shown, fmt)
        assert str(upload_root()) not in response.text
    assert json.loads(results["json"].text)["pages"][2]["number"] == 3
    assert searchable.status_code == 200 and searchable.content.startswith(b"%PDF-")
    assert json.loads(results["json"].text)["document"]["source"] == "report.pdf"
    assert missing.status_code == 404


def test_a_running_job_has_no_result_yet_and_can_be_cancelled(tmp_path: Path) -> None:
    backend = ScriptedBackend(token_delay_s=0.05, tokens_per_page=40)
    with (
        running_server(store_path=tmp_path / "jobs.sqlite3", backend=backend) as served,
        served.client() as client,
    ):
        pdf = make_pdf(tmp_path / "long.pdf", pages=5)
        job = client.post("/v1/jobs", files={"file": ("long.pdf", pdf.read_bytes())}).json()
        early = client.get(f"/v1/jobs/{job['id']}/result.md")
        assert early.status_code == 409
        assert early.json()["error"]["code"] == "not_finished"
        cancelled = client.delete(f"/v1/jobs/{job['id']}")
        assert cancelled.status_code == 200
        deadline = time.monotonic() + TIMEOUT
        while client.get(f"/v1/jobs/{job['id']}").json()["status"] != "cancelled":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert served.pipeline.wait_idle(TIMEOUT)
        assert served.store.job(job["id"]).pages_done < 5  # type: ignore[union-attr]


def test_jobs_of_the_window_are_not_the_apis(served: Served, tmp_path: Path) -> None:
    # GIVEN a document queued in the window (not through the API)
    dropped = served.pipeline.submit(make_pdf(tmp_path / "private.pdf", pages=1))
    assert served.pipeline.wait_idle(TIMEOUT)
    with served.client() as client:
        assert client.get(f"/v1/jobs/{dropped}").status_code == 404
        assert client.get(f"/v1/jobs/{dropped}/result.md").status_code == 404
        assert client.delete(f"/v1/jobs/{dropped}").status_code == 404


def test_the_openapi_description_names_every_route(served: Served) -> None:
    with served.client() as client:
        spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    app = create_app(served.server.board, ApiOptions())
    routes = {(route.path, method) for route in app.routes for method in route.methods - {"HEAD"}}  # type: ignore[attr-defined]
    described = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert routes == described


# -- layout pages: regions in the SDK's labels and both box scales -------------------------------


def test_layout_regions_take_the_sdks_labels_boxes_and_figure_references() -> None:
    from ocr_desktop.core.results import DocumentResult, PageResult, RegionResult
    from ocr_desktop.server.responses import layout_parsing_response, sdk_parse_response

    def region(order: int, label: str, kind: str, text: str = "", task: str = "text") -> RegionResult:
        box = (10 * order, 20, 10 * order + 100, 60)
        return RegionResult(
            order, label, kind, box, (5 * order, 10, 5 * order + 50, 30), task=task, text=text
        )

    page = PageResult(
        0, "", "text", "scripted", "m", width=2000, height=2000, layout="cdla",
        regions=(
            region(0, "header", "furniture", task=""),  # skipped furniture: left out
            region(1, "title", "text", "Results"),
            region(2, "table", "table", "<table><tr><td>1</td></tr></table>", task="table"),
            region(3, "figure", "figure", task=""),
            region(4, "text", "text", "The end."),
        ),
    )  # fmt: skip
    document = DocumentResult("job", "/x.pdf", "x.pdf", 1, (page,))
    sdk = sdk_parse_response(document)
    [[title, table, figure, text]] = sdk["json_result"]
    assert [r["index"] for r in (title, table, figure, text)] == [0, 1, 2, 3]
    assert [r["label"] for r in (title, table, figure, text)] == ["text", "table", "image", "text"]
    assert title["bbox_2d"] == [5, 10, 55, 30] and figure["content"] == ""
    assert sdk["markdown_result"].startswith("## Results")
    assert "![](page=0,bbox=[15, 10, 65, 30])" in sdk["markdown_result"]
    assert sdk["markdown_result"].rstrip().endswith("The end.")
    maas = layout_parsing_response(document)
    assert maas["layout_details"][0][1]["bbox_2d"] == [20, 20, 120, 60]  # pixels of the page image
    assert maas["data_info"]["pages"] == [{"width": 2000, "height": 2000}]
    assert "![](page=0,bbox=[30, 20, 130, 60])" in maas["md_results"]


def test_uploads_of_jobs_removed_from_the_history_are_swept_at_the_next_start(tmp_path: Path) -> None:
    # GIVEN two API jobs, one of which the user then removes from the window's history
    with running_server(store_path=tmp_path / "jobs.sqlite3") as served, served.client() as client:
        kept, removed = (
            client.post("/v1/jobs", files={"file": (f"{n}.png", png_bytes(), "image/png")}).json()["id"]
            for n in ("kept", "removed")
        )
        assert served.pipeline.wait_idle(TIMEOUT)
        folders = {job: Path(served.store.job(job).source).parent for job in (kept, removed)}  # type: ignore[union-attr]
        served.pipeline.remove_job(removed)
    assert all(folder.is_dir() for folder in folders.values())
    # WHEN the server starts again on the same store
    with running_server(store_path=tmp_path / "jobs.sqlite3") as again, again.client() as client:
        # THEN the removed job's upload is gone and the kept one's is there, still served
        assert not folders[removed].exists()
        assert folders[kept].is_dir()
        assert client.get(f"/v1/jobs/{kept}/result.md").status_code == 200


def test_a_layout_job_reports_regions_and_answers_in_the_sdks_labels(tmp_path: Path) -> None:
    from tests.fixtures.layout import draw_page

    # GIVEN the window's reading mode is layout (CDLA, which ships with the app)
    settings = Settings().with_value("reading.mode", "layout").with_value("reading.layout_model", "cdla")
    buf = io.BytesIO()
    draw_page()[0].save(buf, "PNG")
    with running_server(settings, store_path=tmp_path / "jobs.sqlite3") as served, served.client() as client:
        # WHEN a drawn page (title, columns, table, formula, figure) is sent as a job and polled
        job = client.post("/v1/jobs", files={"file": ("drawn.png", buf.getvalue(), "image/png")}).json()
        deadline = time.monotonic() + TIMEOUT
        progress = []
        while (status := client.get(f"/v1/jobs/{job['id']}").json())["status"] != "done":
            progress.append((status["regions_done"], status["regions_total"]))
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # THEN its regions were counted as they were read
        assert status["regions_total"] >= 5 and status["regions_done"] == status["regions_total"]
        assert all(done <= total for done, total in progress)
        # AND the SDK endpoint answers with the layout's regions in the SDK's labels
        body = client.post("/glmocr/parse", json={"images": [data_uri(buf.getvalue())]}).json()
    [regions] = body["json_result"]
    labels = {region["label"] for region in regions}
    assert {"text", "table", "image"} <= labels
    assert [region["index"] for region in regions] == list(range(len(regions)))
    [figure] = [region for region in regions if region["label"] == "image"]
    assert f"![](page=0,bbox={figure['bbox_2d']})" in body["markdown_result"]


def test_stopping_the_server_does_not_wait_for_a_document_a_request_waits_for(tmp_path: Path) -> None:
    # GIVEN a request waiting for a document that takes ~20 s to read
    backend = ScriptedBackend(token_delay_s=0.2, tokens_per_page=100)
    with running_server(store_path=tmp_path / "jobs.sqlite3", backend=backend) as served:
        answers: list[object] = []

        def ask() -> None:
            with served.client() as client:
                try:
                    answers.append(client.post("/glmocr/parse", json={"images": [data_uri(png_bytes())]}))
                except httpx.HTTPError as exc:
                    answers.append(exc)

        waiting = threading.Thread(target=ask, name="waiting-client")
        waiting.start()
        deadline = time.monotonic() + TIMEOUT
        while not backend.calls:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        # WHEN the server is stopped (the window's switch turned off, or Ctrl-C)
        started = time.monotonic()
        served.server.stop()
        # THEN it stops within its grace period, the client is told, and the job stays queued
        assert time.monotonic() - started < 8
        waiting.join(10)
        assert not waiting.is_alive() and answers
        [job] = served.store.list_jobs()
        assert not job.status.finished
