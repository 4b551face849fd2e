//! paykit adapter for maib (in progress).
