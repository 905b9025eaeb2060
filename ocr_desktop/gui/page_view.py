"""The page image of the reading view: zoom (Ctrl+wheel, buttons), fit to the width, and a
layout page's region boxes coloured by kind, the region being read highlighted, a click on a box
reported (``region_clicked``) so the reading view scrolls the text to it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QMouseEvent, QPen, QPixmap, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QWidget,
)

from ocr_desktop.core.results import RegionResult

#: Layout region boxes on the page, coloured by kind (the label table's action).
REGION_COLOURS = {
    "text": "#2f7de1",
    "table": "#2a9d4b",
    "formula": "#9b4dca",
    "figure": "#e08a00",
    "furniture": "#8a8a8a",
}


class PageView(QGraphicsView):
    """The page image, zoomable (Ctrl+wheel, buttons) and fittable to the width."""

    zoom_changed = Signal(float)  # the new scale factor (1.0 = one image pixel per screen pixel)
    region_clicked = Signal(int)  # reading-order index of the layout region box clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(self.tr("Page image"))
        self.setToolTip(self.tr("The page as the model saw it. Ctrl+wheel zooms."))
        self._scene = QGraphicsScene(self)
        self._item = QGraphicsPixmapItem()
        self._item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self._scene.addItem(self._item)
        self.setScene(self._scene)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.fit_width = True
        self.scale_factor = 1.0
        self._regions: tuple[RegionResult, ...] = ()
        self.boxes: dict[int, QGraphicsRectItem] = {}  # region order -> its box on the page
        self.highlighted: int | None = None

    def set_image(self, image: QImage | None) -> None:
        pixmap = QPixmap.fromImage(image) if image is not None else QPixmap()
        self._item.setPixmap(pixmap)
        self._scene.setSceneRect(self._item.boundingRect())
        self._draw_regions()
        self._apply_zoom()

    def set_regions(self, regions: tuple[RegionResult, ...], highlighted: int | None = None) -> None:
        """Draw the page's layout regions (boxes on the 0-1000 scale, so any rendering fits)."""
        self._regions = regions
        self.highlighted = highlighted
        self._draw_regions()

    def highlight(self, order: int | None) -> None:
        """Mark the region being read (or selected); the others keep their thin outline."""
        self.highlighted = order
        for key, box in self.boxes.items():
            self._style(box, key == order)

    def _draw_regions(self) -> None:
        for box in self.boxes.values():
            self._scene.removeItem(box)
        self.boxes.clear()
        width, height = self._item.pixmap().width(), self._item.pixmap().height()
        if not width:
            return
        for region in self._regions:
            x1, y1, x2, y2 = region.box_1000
            box = QGraphicsRectItem(
                x1 * width / 1000, y1 * height / 1000, (x2 - x1) * width / 1000, (y2 - y1) * height / 1000
            )
            box.setData(0, region.order)
            box.setData(1, region.kind)
            box.setToolTip(f"{region.order + 1}. {region.label}")
            self._scene.addItem(box)
            self.boxes[region.order] = box
            self._style(box, region.order == self.highlighted)

    @staticmethod
    def _style(box: QGraphicsRectItem, highlighted: bool) -> None:
        colour = QColor(REGION_COLOURS.get(str(box.data(1)), "#2f7de1"))
        box.setPen(QPen(colour, 4 if highlighted else 2))
        fill = QColor(colour)
        fill.setAlpha(60 if highlighted else 0)
        box.setBrush(QBrush(fill))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        for item in self.items(event.position().toPoint()):
            if isinstance(item, QGraphicsRectItem) and item.data(0) is not None:
                self.region_clicked.emit(int(item.data(0)))
                break
        super().mousePressEvent(event)

    def has_image(self) -> bool:
        return not self._item.pixmap().isNull()

    def zoom_by(self, factor: float) -> None:
        self.fit_width = False
        self.scale_factor = max(0.05, min(8.0, self.scale_factor * factor))
        self._apply_zoom()

    def fit_to_width(self) -> None:
        self.fit_width = True
        self._apply_zoom()

    def fitted_width(self) -> int:
        """The width a page fitted to the view gets: the view's inside less a vertical scroll
        bar, whether or not one is shown now.

        Not ``viewport().width()``: the scroll bar changes that. Fitted to the viewport, a page
        about as tall as the view was scaled up when the bar hid, grew taller than the view, which
        showed the bar, which narrowed the viewport and scaled the page down so the bar hid again
        — every resize event re-fitted it and the window hung (issue 20). Sized from the frame
        alone, the fit never depends on the bar, and the page never needs a horizontal one."""
        bar = self.verticalScrollBar().sizeHint().width()
        return self.contentsRect().width() - bar - 4

    def _apply_zoom(self, *, on_resize: bool = False) -> None:
        width = self._item.pixmap().width()
        if self.fit_width and width > 0:
            self.scale_factor = max(0.05, self.fitted_width() / width)
        if on_resize and self.transform().m11() == self.scale_factor:
            return  # a resize that keeps the fitted width (a scroll bar shown or hidden): no change
        self.resetTransform()
        self.scale(self.scale_factor, self.scale_factor)
        self.zoom_changed.emit(self.scale_factor)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fit_width:
            self._apply_zoom(on_resize=True)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)
