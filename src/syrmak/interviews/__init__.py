"""Interviews: choosing interviewees, recordings, transcription."""
