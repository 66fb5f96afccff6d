"""Photos and scans made ready for recognition, with OpenCV: find the document(s) on a desk and flatten their
perspective, turn pages lying on their side, straighten skew, and wash out the red seal stamped over the text.

Every function takes and returns RGB ``uint8`` arrays and never raises on a strange image: when a step finds
nothing to do (no paper edge, no skew) it hands the image back unchanged. Orientation between 0° and 180° needs
the recogniser and is decided in :mod:`office_agent.ingest.image`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import cv2
import numpy as np

log = logging.getLogger(__name__)

WORK_SIDE = 1000  # analyses run on a copy this size (longer side): fast, and enough for lines and edges
MIN_DOC_AREA = 0.12  # a paper outline must cover this share of the photo
FULL_FRAME = 0.92  # an outline covering more than this is the scan's own border: nothing to crop
MAX_SKEW = 10.0  # degrees searched either way


@dataclass(frozen=True, slots=True)
class Region:
    """A document found in a photo: its corners (clockwise from top-left, full-size pixels)."""

    corners: np.ndarray  # float32, shape (4, 2)

    @property
    def area(self) -> float:
        return float(cv2.contourArea(self.corners.astype(np.float32)))


def _small(img: np.ndarray, side: int = WORK_SIDE) -> tuple[np.ndarray, float]:
    h, w = img.shape[:2]
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        img = cv2.resize(img, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    return img, scale


def _gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


# ----------------------------------------------------------------------------------------------------------
# Red seals


SEAL_MIN_SHARE = 0.0015  # red ink on at least this share of the image is a seal (stray pixels of brown print are not)
SEAL_MIN_SATURATION = 110  # seal ink is vivid (HSV saturation of 255) …
SEAL_MIN_LIGHTNESS = 0.84  # … and light: at least this share of the paper's brightness
SEAL_MIN_RED = 0.85  # a seal's red channel is near the paper's: print darker than this share of it is kept
SEAL_FRINGE = 15  # pixels around the seal's ink where text printed under it is looked for


def suppress_red(img: np.ndarray) -> np.ndarray:
    """Paint red and pink pixels (seals, stamps) the colour of the paper; dark text printed under a seal stays.

    A seal's ink is bright and of a pure red-to-pink hue. The form's own print is kept: its brown labels have an
    orange hue (G well above B), and dark-red titles are darker than any seal ink. Around a seal, the print it
    covers is recovered from the red channel (:func:`_clear_seal`).
    """
    if img.ndim == 2:
        return img
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV)  # H in 0..179
    h, s, v = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    red = ((h <= 8) | (h >= 165)) & (s > 50)
    if not red.any():
        return img
    # Bright: 170 on white paper, less where a photo's light falls off (the paper's own brightness, roughly)
    paper = _paper_brightness(v)
    bright = v > np.minimum(170.0, 0.68 * paper)
    if not (red & bright).any():
        return img
    # The form's own red print (数电 labels and rules are dark red) has dark cores; on a 100-150 dpi picture a
    # stroke is a pixel or two wide and nearly all of it is a light, pale edge. A light red pixel is print, and
    # kept, when its red channel is darker than a seal's ink ever is, or when it lies beside dark red print and
    # away from the vivid, light ink only a seal has.
    box = np.ones((5, 5), np.uint8)
    vivid = red & bright & (s > SEAL_MIN_SATURATION) & (v > SEAL_MIN_LIGHTNESS * paper)
    near_print = cv2.dilate((red & ~bright).astype(np.uint8), box).astype(bool)
    keep = near_print & ~cv2.dilate(vivid.astype(np.uint8), box).astype(bool)
    keep |= img[:, :, 0] < SEAL_MIN_RED * paper
    red &= bright & ~keep
    if not red.any():
        return img
    out = img.copy()
    if red.mean() >= SEAL_MIN_SHARE:
        _clear_seal(img, red, out, keep)
    else:
        out[red] = 255
    return out


def _paper_brightness(v: np.ndarray) -> np.ndarray:
    """The brightness of the paper around each pixel: the brightest value nearby, on a coarse grid (cheap)."""
    rows, cols = v.shape
    small = cv2.resize(v, (max(1, cols // 16), max(1, rows // 16)), interpolation=cv2.INTER_AREA)
    small = cv2.dilate(small, np.ones((5, 5), np.uint8))
    return cv2.resize(small, (cols, rows), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def _clear_seal(img: np.ndarray, red: np.ndarray, out: np.ndarray, keep: np.ndarray) -> None:
    """Near the seal, every pixel becomes a grey from its red channel, relative to the paper around it: seal ink
    (R ≈ 0.9 of the paper's) and its pink fringe turn into paper, print under the seal's strokes (dark red,
    R ≈ 0.6 of the paper's; more where a photo's blur mixes it with the ink) and beside them stays dark. Relative
    to the paper, because a photo's paper is grey: seal ink painted white there is read as white text, and a
    fringe left as it was outlines the seal's text, which is read too.
    """
    # Only the box around the red ink is worked on (the rest of the page is left as it is: cheaper).
    rows, cols = np.nonzero(red.any(axis=1))[0], np.nonzero(red.any(axis=0))[0]
    m = SEAL_FRINGE + 16  # the fringe, and the paper's window (25 px, smoothed over 5) around it
    top, bottom = max(0, int(rows[0]) - m), min(red.shape[0], int(rows[-1]) + m + 1)
    left, right = max(0, int(cols[0]) - m), min(red.shape[1], int(cols[-1]) + m + 1)
    box, ink_mask = img[top:bottom, left:right], red[top:bottom, left:right]
    kernel = np.ones((SEAL_FRINGE, SEAL_FRINGE), np.uint8)
    zone = cv2.dilate(ink_mask.astype(np.uint8), kernel).astype(bool)
    # The paper's level: the brightest darkest-channel value nearby (seal ink has a dark green/blue channel),
    # smoothed first so that noise does not make it brighter than the paper is.
    darkest = cv2.blur(cv2.min(cv2.min(box[:, :, 0], box[:, :, 1]), box[:, :, 2]), (5, 5))
    paper = np.maximum(cv2.dilate(darkest, np.ones((25, 25), np.uint8)).astype(np.float32), 64.0)
    ratio = box[:, :, 0].astype(np.float32) / paper
    # The seal's own level (its ink over bare paper), from the pixels that are surely ink; print under the seal
    # is darker in the red channel. Stretched: seal ink → paper, a third below it → black.
    ink = float(np.median(ratio[ink_mask])) - 0.03
    grey = (np.clip((ratio - (ink - 0.35)) / 0.35, 0.0, 1.0) * paper).astype(np.uint8)
    zone &= ~keep[top:bottom, left:right]  # the form's red print, as printed
    np.copyto(out[top:bottom, left:right], grey[:, :, None], where=zone[:, :, None])


# ----------------------------------------------------------------------------------------------------------
# Documents on a desk


def order_corners(pts: np.ndarray) -> np.ndarray:
    """Four points → top-left, top-right, bottom-right, bottom-left."""
    pts = pts.reshape(4, 2).astype(np.float32)
    s = pts.sum(axis=1)
    d = np.diff(pts, axis=1).ravel()
    return np.array([pts[np.argmin(s)], pts[np.argmin(d)], pts[np.argmax(s)], pts[np.argmax(d)]], dtype=np.float32)


def find_documents(img: np.ndarray, max_docs: int = 2) -> list[Region]:
    """Paper outlines in a photo, largest first (up to ``max_docs``); empty when the image is the page itself."""
    small, scale = _small(img)
    h, w = small.shape[:2]
    area = float(h * w)
    gray = cv2.GaussianBlur(_gray(small), (5, 5), 0)
    candidates: list[np.ndarray] = []
    # Paper is brighter than the desk: Otsu on brightness, closed to bridge the printed text.
    _, bright = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    edges = cv2.dilate(cv2.Canny(gray, 40, 120), np.ones((3, 3), np.uint8), iterations=2)
    for mask in (bright, edges):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for c in sorted(contours, key=cv2.contourArea, reverse=True)[:6]:
            a = cv2.contourArea(c)
            if a < MIN_DOC_AREA * area:
                break
            hull = cv2.convexHull(c)
            approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
            quad = approx if len(approx) == 4 else cv2.boxPoints(cv2.minAreaRect(hull))
            quad = order_corners(np.asarray(quad, dtype=np.float32))
            if cv2.contourArea(quad) > FULL_FRAME * area or _touches_all_sides(quad, w, h):
                continue
            candidates.append(quad)
        if candidates:
            break
    regions: list[Region] = []
    for quad in sorted(candidates, key=lambda q: -cv2.contourArea(q)):
        if any(_overlap(quad, r.corners * scale) > 0.3 for r in regions):
            continue
        if not _stands_out(gray, quad):
            continue  # a frame printed on the page (a scan's form border), not a sheet on a background
        regions.append(Region(quad / scale))
        if len(regions) == max_docs:
            break
    if len(regions) > 1 and regions[1].area < 0.35 * regions[0].area:
        regions = regions[:1]  # a small paper beside the invoice (a note, a card) is not a second invoice
    return sorted(regions, key=lambda r: (float(r.corners[:, 1].min()), float(r.corners[:, 0].min())))


def _stands_out(gray: np.ndarray, quad: np.ndarray) -> bool:
    """Whether what lies around ``quad`` differs from the paper inside it (a desk, not more paper)."""
    mask = np.zeros(gray.shape, np.uint8)
    cv2.fillConvexPoly(mask, quad.astype(np.int32), 1)
    inside, outside = gray[mask == 1], gray[mask == 0]
    if outside.size < 0.03 * gray.size or inside.size == 0:
        return False
    paper = float(np.percentile(inside, 90))
    around = float(np.median(outside))
    return around < 0.8 * paper


def _touches_all_sides(quad: np.ndarray, w: int, h: int, margin: float = 3.0) -> bool:
    return bool(
        quad[:, 0].min() <= margin
        and quad[:, 1].min() <= margin
        and quad[:, 0].max() >= w - 1 - margin
        and quad[:, 1].max() >= h - 1 - margin
    )


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over the smaller area of two convex quads."""
    inter, _ = cv2.intersectConvexConvex(a.astype(np.float32), b.astype(np.float32))
    return float(inter) / max(1.0, min(cv2.contourArea(a), cv2.contourArea(b)))


def warp_matrix(region: Region) -> tuple[np.ndarray, tuple[int, int]]:
    """The perspective transform (photo pixels → flattened pixels) of :func:`warp`, and the flattened size."""
    tl, tr, br, bl = region.corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    return cv2.getPerspectiveTransform(region.corners.astype(np.float32), target), (width, height)


def warp(img: np.ndarray, region: Region) -> np.ndarray:
    """The document in ``region`` seen from straight above."""
    matrix, size = warp_matrix(region)
    return cv2.warpPerspective(img, matrix, size, flags=cv2.INTER_LINEAR, borderValue=(255, 255, 255))


# ----------------------------------------------------------------------------------------------------------
# Lying on its side, and skew


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark marks (text, rules) as 1, paper as 0, robust to uneven light."""
    binary = cv2.adaptiveThreshold(gray, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    return binary.astype(np.float32)


def _profile_score(ink: np.ndarray, angle: float) -> float:
    """How sharply the rows of ``ink`` separate into lines when it is turned by ``angle`` degrees."""
    h, w = ink.shape
    if angle:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        ink = cv2.warpAffine(ink, m, (w, h), flags=cv2.INTER_NEAREST, borderValue=0)
    rows = ink.sum(axis=1)
    return float(np.square(np.diff(rows)).sum())


def skew_angle(img: np.ndarray) -> float:
    """The rotation (degrees, counter-clockwise positive, as OpenCV) that makes the text lines horizontal."""
    small, _ = _small(img, 800)
    ink = _ink(_gray(small))
    if ink.mean() < 0.002:
        return 0.0
    best = _best_angle(ink, [float(a) for a in np.arange(-MAX_SKEW, MAX_SKEW + 0.01, 0.5)])
    return round(_best_angle(ink, [float(a) for a in np.arange(best - 0.4, best + 0.41, 0.1)]), 2)


def _best_angle(ink: np.ndarray, angles: list[float]) -> float:
    scores = [_profile_score(ink, a) for a in angles]
    return angles[int(np.argmax(scores))]


def rotation_matrix(shape: tuple[int, ...], angle: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The affine transform (2 × 3, input pixels → output pixels) of :func:`rotate`, and the output size."""
    h, w = shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    nw, nh = int(h * sin + w * cos), int(h * cos + w * sin)
    m[0, 2] += nw / 2 - w / 2
    m[1, 2] += nh / 2 - h / 2
    return m, (nw, nh)


def rotate(img: np.ndarray, angle: float) -> np.ndarray:
    """Turn by ``angle`` degrees counter-clockwise, growing the canvas so no corner is cut; fill white."""
    if abs(angle) < 0.05:
        return img
    m, size = rotation_matrix(img.shape, angle)
    fill = 255 if img.ndim == 2 else (255, 255, 255)
    return cv2.warpAffine(img, m, size, flags=cv2.INTER_LINEAR, borderValue=fill)


def turn(img: np.ndarray, quarter_turns: int) -> np.ndarray:
    """Exact 90° turns, clockwise."""
    k = quarter_turns % 4
    return img if k == 0 else np.ascontiguousarray(np.rot90(img, -k))


# ----------------------------------------------------------------------------------------------------------
# Where each step moved the pixels: 3 × 3 matrices from a step's output back to its input (pixel edges)


def homogeneous(m: np.ndarray) -> np.ndarray:
    """A 2 × 3 affine or a 3 × 3 matrix as a float 3 × 3."""
    out = np.eye(3)
    out[: m.shape[0], :] = m
    return out


def scaling(sx: float, sy: float | None = None) -> np.ndarray:
    return np.diag([sx, sx if sy is None else sy, 1.0])


def shift(dx: float, dy: float) -> np.ndarray:
    out = np.eye(3)
    out[0, 2], out[1, 2] = dx, dy
    return out


def unturn(shape: tuple[int, ...], quarter_turns: int) -> np.ndarray:
    """Pixels of ``turn(img, k)`` → pixels of ``img`` (of shape ``shape``)."""
    h, w = shape[:2]
    k = quarter_turns % 4
    if k == 1:  # clockwise: x' = h - y, y' = x
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, h], [0.0, 0.0, 1.0]])
    if k == 2:
        return np.array([[-1.0, 0.0, w], [0.0, -1.0, h], [0.0, 0.0, 1.0]])
    if k == 3:  # counter-clockwise: x' = y, y' = w - x
        return np.array([[0.0, -1.0, w], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    return np.eye(3)


def map_points(m: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 3 × 3 homography to an (n, 2) array of points."""
    pts = np.hstack([np.asarray(points, dtype=np.float64).reshape(-1, 2), np.ones((len(points), 1))])
    out = pts @ np.asarray(m, dtype=np.float64).T
    return out[:, :2] / out[:, 2:3]


def is_blank(img: np.ndarray) -> bool:
    """No marks worth reading: flat colour, or a few specks."""
    small, _ = _small(img, 600)
    gray = _gray(small)
    if float(gray.std()) < 4.0:
        return True
    return float(_ink(gray).mean()) < 0.0015


def downscale(img: np.ndarray, max_side: int) -> tuple[np.ndarray, float]:
    """At most ``max_side`` pixels on the longer side (area interpolation); returns the image and the factor."""
    return _small(img, max_side)
