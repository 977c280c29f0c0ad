"""EvoLink Suno Persona SDK."""
