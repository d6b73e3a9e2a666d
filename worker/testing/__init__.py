"""Test doubles that a user may still run (the demo): the fault-injecting agency mirror."""
