"""The README's screenshots, cut from the browser journey's own.

    OPSPLATFORM_SCREENSHOTS=/tmp/journey .venv/bin/pytest tests/browser/test_journey.py
    .venv/bin/python docs/screenshots/make.py /tmp/journey

The journey keeps a full-page screenshot of every step at both widths (in a folder
that is not committed); this keeps the first screen of three of them, small enough
to commit: a contact point's home page with something waiting for it, the
coordinator's dashboard, and the reporting page at phone width.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
# (journey step, width, output, the part of the page kept in CSS pixels, scale)
SHOTS = [
    ("home-what-needs-me", "desktop", "home-contact-point.png", (1440, 760), 0.5),
    ("dashboard-coordinator", "desktop", "dashboard.png", (1440, 1100), 0.5),
    ("reporting-coordinator", "phone", "reporting-phone.png", (390, 844), 0.75),
]


def main(source: Path) -> None:
    for step, width, output, (keep_width, keep_height), scale in SHOTS:
        found = sorted(source.glob(f"*-{step}-{width}.png"))
        if not found:
            raise SystemExit(f"no screenshot of {step} at {width} width in {source}")
        with Image.open(found[-1]) as image:
            part = image.crop((0, 0, keep_width, min(keep_height, image.height)))
            size = (round(part.width * scale), round(part.height * scale))
            small = part.resize(size, Image.Resampling.LANCZOS).convert("RGB")
            small.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(
                HERE / output, optimize=True)
        print(f"{output}: {size[0]}×{size[1]}, {(HERE / output).stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/browser/screenshots"))
