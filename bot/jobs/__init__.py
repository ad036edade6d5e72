"""Time-driven work: periodic ticks that read what is due from SQLite, and the outbox sender."""
