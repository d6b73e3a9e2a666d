"""Test doubles that a user may still run (the demo): the fault-injecting agency mirror; probes
that watch a running archive from outside (integration tests, benchmarks)."""
