"""Speech recognition: the engines (faster-whisper, openai-whisper), model resolution and the guards."""
