"""In: an `Article` and the cache (never the network). Out: an `Episode`: its YouTube video,
Spotify episode, audio, chapters, transcripts; tagged audio and artwork copies, made on demand."""
