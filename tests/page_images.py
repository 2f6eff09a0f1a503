"""Page images for the digitising tests and bench: an A4 page of Vietnamese text rendered at
a given dpi with the bundled Liberation Serif (PNG or JPEG bytes), like a scanner's output."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "LiberationSerif-Regular.ttf"

TEXT = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "TỜ KHAI ĐĂNG KÝ KHAI SINH",
    "Kính gửi: Ủy ban nhân dân phường Long Xuyên, tỉnh An Giang",
    "Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn An",
    "Nơi cư trú: Số 12 Trần Hưng Đạo, phường Long Xuyên",
    "Giấy tờ tùy thân: Căn cước công dân số 079090001234",
    "Quan hệ với người được khai sinh: cha",
    "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
    "Họ, chữ đệm, tên: Nguyễn Thị Bình   Giới tính: Nữ",
    "Ngày, tháng, năm sinh: 01 tháng 11 năm 2026",
    "Nơi sinh: Bệnh viện Đa khoa tỉnh An Giang",
    "Dân tộc: Kinh   Quốc tịch: Việt Nam",
    "Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật,",
    "được sự thỏa thuận nhất trí của các bên liên quan theo quy định pháp luật.",
    "Tôi chịu hoàn toàn trách nhiệm trước pháp luật về nội dung cam đoan của mình.",
)


def text_page(dpi: int = 200, fmt: str = "PNG", lines: int = 40, seed: int = 0) -> bytes:
    """An A4 page (portrait) of `lines` lines of Vietnamese text, as PNG or JPEG bytes."""
    w, h = round(210 / 25.4 * dpi), round(297 / 25.4 * dpi)
    im = Image.new("L", (w, h), 250)  # scanner paper is not quite white
    draw = ImageDraw.Draw(im)
    font = ImageFont.truetype(str(FONT), size=round(12 / 72 * dpi))  # 12 pt
    y, step = round(20 / 25.4 * dpi), round(12 / 72 * dpi * 1.5)
    for i in range(lines):
        if y > h - round(20 / 25.4 * dpi):
            break
        draw.text((round(20 / 25.4 * dpi), y), TEXT[(i + seed) % len(TEXT)], fill=15, font=font)
        y += step
    out = io.BytesIO()
    if fmt == "JPEG":
        im.save(out, "JPEG", quality=85, dpi=(dpi, dpi))
    else:
        im.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()
