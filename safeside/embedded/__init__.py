"""The embedded development stack: servers that come from wheels, kept under the data folder."""
