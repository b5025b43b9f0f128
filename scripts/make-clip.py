#!/usr/bin/env python3
"""Writes a synthetic camera clip as YUV4MPEG2 for Chromium's fake camera
(--use-file-for-fake-video-capture): a lit room-like scene — smooth shaded walls, a floor, a few
textured objects that move and turn, mild sensor noise — so that point clouds and their encodings
behave like a real camera's rather than like Chromium's flat test pattern. Deterministic (seeded).

    scripts/make-clip.py --out clip.y4m [--size 642x362] [--fps 30] [--seconds 4]
"""
import argparse
import numpy as np


def frame(t, w, h, rng, texture):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = x / w, y / h
    # Walls: a soft light from the upper left; the floor: lower third, darker with distance.
    img = 150 - 60 * u - 40 * v + 12 * np.sin(6.0 * u + 0.3 * t) * np.cos(4.0 * v)
    floor = v > 0.66
    img = np.where(floor, 70 + 90 * (v - 0.66) + 8 * np.sin(40 * u * (v + 0.2)), img)
    r, g, b = img.copy(), img.copy(), img.copy()
    r = np.where(floor, r + 20, r + 8)
    b = np.where(floor, b - 15, b + 10)
    # Objects: textured ellipses moving on slow paths.
    for k, (cx, cy, rx, ry, col) in enumerate([(0.3, 0.45, 0.12, 0.22, (200, 120, 90)),
                                               (0.65, 0.55, 0.16, 0.16, (80, 150, 210)),
                                               (0.5, 0.3, 0.07, 0.09, (230, 220, 120))]):
        px = cx + 0.08 * np.sin(0.7 * t + k * 2.1)
        py = cy + 0.04 * np.cos(0.9 * t + k)
        d = ((u - px) / rx) ** 2 + ((v - py) / ry) ** 2
        inside = d < 1
        shade = np.clip(1.1 - 0.6 * d, 0.3, 1.1)
        tex = texture[(y.astype(int) + 7 * k) % texture.shape[0], (x.astype(int) + int(20 * t)) % texture.shape[1]]
        for ch, c in zip((r, g, b), col):
            ch[inside] = (c * shade + 25 * tex)[inside]
    noise = rng.normal(0, 2.0, (3, h, w)).astype(np.float32)
    rgb = np.clip(np.stack([r, g, b]) + noise, 0, 255)
    return rgb


def to_i420(rgb):
    r, g, b = rgb
    yy = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    h, w = yy.shape
    ch, cw = (h + 1) // 2, (w + 1) // 2
    pad = lambda p: np.pad(p, ((0, 2 * ch - h), (0, 2 * cw - w)), mode='edge')
    sub = lambda p: pad(p).reshape(ch, 2, cw, 2).mean(axis=(1, 3))
    q = lambda p: np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes()
    return q(yy) + q(sub(cb)) + q(sub(cr))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('--size', default='642x362', help='WxH (default 642x362)')
    ap.add_argument('--fps', type=int, default=30)
    ap.add_argument('--seconds', type=float, default=4)
    a = ap.parse_args()
    w, h = (int(s) for s in a.size.lower().split('x'))
    rng = np.random.default_rng(8)
    texture = rng.normal(0, 1, (64, 64)).astype(np.float32)
    texture = (texture + np.roll(texture, 1, 0) + np.roll(texture, 1, 1)) / 3
    n = int(round(a.fps * a.seconds))
    with open(a.out, 'wb') as f:
        f.write(f'YUV4MPEG2 W{w} H{h} F{a.fps}:1 Ip A1:1 C420jpeg\n'.encode())
        for i in range(n):
            f.write(b'FRAME\n')
            f.write(to_i420(frame(i / a.fps, w, h, rng, texture)))
    print(f'{a.out}: {n} frames {w}x{h} @ {a.fps} fps')


if __name__ == '__main__':
    main()
