"""The parts of `scripts/reliability`: a raw HTTP client, the server it runs, the store faults."""
