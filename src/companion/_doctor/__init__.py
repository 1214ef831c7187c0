"""In: this machine and the project's settings. Out: checks, each with its fix: can fetch
(yt-dlp, its JavaScript runtime and challenge solver, ffmpeg, cookies, a PO-token provider,
YouTube and Spotify reachable) and publish (the S3 endpoint and its credentials) work here."""

from companion._doctor.checks import Check, DoctorOptions, DoctorReport, run_doctor

__all__ = ["Check", "DoctorOptions", "DoctorReport", "run_doctor"]
