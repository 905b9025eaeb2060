"""The pipeline shared by the CLI and the GUI (``worker``: the queue, the deciding loop, jobs and
page threads), the stages it wires together (``slot``, ``page_reader``, ``layout_reader``), its
events (``events``) and the lending of its one backend slot (``lease``). See docs/pipeline.md."""

from ocr_desktop.pipeline.events import PipelineListener
from ocr_desktop.pipeline.lease import BackendLease
from ocr_desktop.pipeline.worker import BackendFactory, MemoryCheck, Pipeline

__all__ = ["BackendFactory", "BackendLease", "MemoryCheck", "Pipeline", "PipelineListener"]
