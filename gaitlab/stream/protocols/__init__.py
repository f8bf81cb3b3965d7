"""Sensor frame protocols: decoders and encoders for the byte formats sensors send over BLE."""
