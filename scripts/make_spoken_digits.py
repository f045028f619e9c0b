"""Generate the spoken digits of AV-Digits with espeak-ng.

Every clip is one English word, "zero" ... "nine", spoken by one synthetic
*voice*: an espeak-ng accent, a voice variant (``+m3``, ``+f2``, ``+klatt``,
``+whisper``, ``+croak`` ...) and a speaking rate and pitch drawn from a seeded
generator. Each voice says all ten digits, with a small per-word jitter of
rate and pitch, so every digit has as many clips as there are voices.

Each clip is resampled to 16 kHz mono, trimmed of leading and trailing
silence (40 dB below its peak, with a 20 ms margin), peak-normalised to 0.9
(no clipping once quantised) and stored as 16-bit FLAC in
``assets/spoken_digits/`` together with ``manifest.csv``
(file, digit, word, voice, accent, variant, speed, pitch, duration).

Only this script needs espeak-ng (``apt-get install espeak-ng``); snnviz, its
tests and CI read the committed FLAC files. The output is deterministic for a
given espeak-ng version.

Usage::

    python scripts/make_spoken_digits.py [--out assets/spoken_digits] [--seed 0]
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from snnviz.data.audio import read_audio, resample, to_mono, write_audio

WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
ACCENTS = (
    "en-us",
    "en-gb",
    "en-gb-scotland",
    "en-gb-x-rp",
    "en-gb-x-gbclan",
    "en-gb-x-gbcwmd",
    "en-029",
    "en-us-nyc",
)
VARIANTS = (
    "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8",
    "f1", "f2", "f3", "f4", "f5",
    "klatt", "klatt2", "klatt3", "klatt4",
    "whisper", "croak", "grandpa", "steph", "iven", "linda", "rob",
)
VARIANTS_PER_ACCENT = 9
SAMPLE_RATE = 16000
PEAK = 0.9
TRIM_DB = 40.0
MARGIN_S = 0.02


def plan_voices(seed: int) -> list[dict]:
    """Return one dict per voice: id, accent, variant, base speed (wpm) and pitch (0-99)."""
    rng = np.random.default_rng(seed)
    voices = []
    for accent in ACCENTS:
        picks = rng.choice(len(VARIANTS), size=VARIANTS_PER_ACCENT, replace=False)
        for variant in sorted(VARIANTS[i] for i in picks):
            voices.append({
                "voice": f"v{len(voices):02d}",
                "accent": accent,
                "variant": variant,
                "speed": int(rng.integers(125, 206)),
                "pitch": int(rng.integers(25, 76)),
            })
    return voices


def synthesize(espeak: str, voice: str, word: str, speed: int, pitch: int, tmp: Path) -> tuple[np.ndarray, int]:
    """Run espeak-ng once and return the mono waveform and its sample rate."""
    out = tmp / "clip.wav"
    cmd = [espeak, "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(out), word]
    subprocess.run(cmd, check=True, capture_output=True)
    wave, sr = read_audio(out)
    return to_mono(wave), sr


def clean_clip(wave: np.ndarray, sr: int) -> np.ndarray:
    """Resample to 16 kHz, trim silence, peak-normalise."""
    import librosa

    wave = resample(wave, sr, SAMPLE_RATE)
    _, (start, end) = librosa.effects.trim(wave, top_db=TRIM_DB, frame_length=512, hop_length=128)
    margin = int(MARGIN_S * SAMPLE_RATE)
    wave = wave[max(0, start - margin) : min(len(wave), end + margin)]
    peak = float(np.abs(wave).max())
    if peak <= 0:
        raise RuntimeError("espeak-ng produced a silent clip")
    return (wave * (PEAK / peak)).astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "assets" / "spoken_digits")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--espeak", default="espeak-ng", help="espeak-ng executable")
    args = parser.parse_args(argv)

    espeak = shutil.which(args.espeak)
    if espeak is None:
        print(f"error: '{args.espeak}' was not found; install espeak-ng first.", file=sys.stderr)
        return 1
    rng = np.random.default_rng([args.seed, 1])
    voices = plan_voices(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.flac"):
        old.unlink()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for v in voices:
            for digit, word in enumerate(WORDS):
                speed = int(round(v["speed"] * rng.uniform(0.92, 1.08)))
                pitch = int(np.clip(v["pitch"] + rng.integers(-4, 5), 0, 99))
                wave, sr = synthesize(espeak, f"{v['accent']}+{v['variant']}", word, speed, pitch, Path(tmp))
                wave = clean_clip(wave, sr)
                name = f"{v['voice']}_{digit}_{word}.flac"
                write_audio(args.out / name, wave, SAMPLE_RATE, format="FLAC", compression_level=1.0)
                rows.append({
                    "file": name, "digit": digit, "word": word, "voice": v["voice"], "accent": v["accent"],
                    "variant": v["variant"], "speed": speed, "pitch": pitch,
                    "duration": f"{len(wave) / SAMPLE_RATE:.4f}",
                })
    with open(args.out / "manifest.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    print(f"wrote {len(rows)} clips from {len(voices)} voices to {args.out} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
