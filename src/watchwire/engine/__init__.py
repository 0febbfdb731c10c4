"""The monitoring engine: claims due monitors, runs their probes, evaluates state changes,
records results, rollups, downtimes and events."""
