//! paykit simulator (in progress).
